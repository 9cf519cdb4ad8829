import { render } from 'preact'
import './styles.css'
import { EventPanel } from './event-panel.js'
import { connectFeed } from './feed.js'
import { ClusterPage } from './pages/cluster.js'
import { Overview } from './pages/overview.js'
import { ServicePage } from './pages/service.js'
import { TaskPage } from './pages/task.js'
import { TaskDefinitions } from './pages/task-definitions.js'
import { href, path, route } from './router.js'

function Page() {
  const r = route(path.value)
  switch (r.page) {
    case 'overview':
      return <Overview />
    case 'cluster':
      return <ClusterPage cluster={r.cluster} />
    case 'service':
      return <ServicePage cluster={r.cluster} service={r.service} />
    case 'task':
      return <TaskPage cluster={r.cluster} task={r.task} />
    case 'taskdefs':
      return <TaskDefinitions family={r.family} revision={r.revision} />
    default:
      return (
        <section class="card">
          <h1>Not found</h1>
          <p>
            Nothing at <code>{r.path}</code>. <a href={href.overview()}>Back to the overview</a>
          </p>
        </section>
      )
  }
}

function App() {
  const p = path.value
  const current = (prefix: string) => (prefix === '/ui' ? p === '/ui' || p === '/ui/' : p.startsWith(prefix)) ? 'page' : undefined
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href.overview()}>
          KECS
        </a>
        <nav aria-label="Main">
          <a href={href.overview()} aria-current={current('/ui')}>
            Overview
          </a>
          <a href={href.taskdefs()} aria-current={current('/ui/task-definitions')}>
            Task definitions
          </a>
        </nav>
      </header>
      <div class="layout">
        <main id="main" tabIndex={-1}>
          <Page />
        </main>
        <EventPanel />
      </div>
    </>
  )
}

connectFeed()
render(<App />, document.getElementById('app')!)
