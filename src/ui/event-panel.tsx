import { useSignal } from '@preact/signals'
import { clock } from './components.js'
import { connected, events, refsOf, summary, type EcsEvent } from './feed.js'
import { href } from './router.js'

const TYPES = ['ECS Task State Change', 'ECS Service Action', 'ECS Deployment State Change', 'ECS Container Instance State Change']

function linkOf(e: EcsEvent): string | undefined {
  const r = refsOf(e)
  if (!r.cluster) return undefined
  if (e['detail-type'] === 'ECS Task State Change' && r.task) return href.task(r.cluster, r.task)
  if (r.service) return href.service(r.cluster, r.service)
  return href.cluster(r.cluster)
}

/** The live event feed, on every page: filter by cluster, service and type; pause; click to go to the resource. */
export function EventPanel() {
  const cluster = useSignal('')
  const service = useSignal('')
  const type = useSignal('')
  const paused = useSignal<EcsEvent[] | null>(null)
  const list = paused.value ?? events.value
  const shown = list.filter((e) => {
    const r = refsOf(e)
    return (
      (!cluster.value || r.cluster === cluster.value) &&
      (!service.value || r.service === service.value) &&
      (!type.value || e['detail-type'] === type.value)
    )
  })
  const waiting = paused.value ? events.value.length - paused.value.length : 0
  return (
    <aside class="events" aria-label="Live events">
      <header class="card-head">
        <h2>
          Live events <span class={`dot ${connected.value ? 'on' : ''}`} title={connected.value ? 'connected' : 'reconnecting'} />
        </h2>
        <button type="button" aria-pressed={paused.value !== null} onClick={() => (paused.value = paused.value ? null : events.value)}>
          {paused.value ? `Resume${waiting > 0 ? ` (${waiting} new)` : ''}` : 'Pause'}
        </button>
      </header>
      <div class="filters">
        <input aria-label="Filter by cluster" placeholder="cluster" value={cluster.value} onInput={(e) => (cluster.value = e.currentTarget.value.trim())} />
        <input aria-label="Filter by service" placeholder="service" value={service.value} onInput={(e) => (service.value = e.currentTarget.value.trim())} />
        <select aria-label="Filter by type" value={type.value} onChange={(e) => (type.value = e.currentTarget.value)}>
          <option value="">all types</option>
          {TYPES.map((t) => (
            <option value={t}>{t.replace(/^ECS /, '')}</option>
          ))}
        </select>
      </div>
      <ol class="event-list" aria-live="polite">
        {shown.slice(0, 200).map((e) => {
          const to = linkOf(e)
          const body = (
            <>
              <span class="when">{clock(e.time)}</span> <span class="kind">{e['detail-type'].replace(/^ECS | State Change$/g, '')}</span>{' '}
              <span class="what">{summary(e)}</span>
            </>
          )
          return <li key={e.id}>{to ? <a href={to}>{body}</a> : body}</li>
        })}
        {shown.length === 0 ? <li class="muted">No events{list.length ? ' match the filters' : ' yet'}.</li> : null}
      </ol>
    </aside>
  )
}
