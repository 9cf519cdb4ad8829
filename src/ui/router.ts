import { signal } from '@preact/signals'

/** The current path under /ui (History API routing: deep links are real URLs the server answers with the shell). */
export const path = signal(location.pathname)

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  path.value = location.pathname
  window.scrollTo(0, 0)
  // Keyboard and screen-reader users land on the new page's content, as after a full load.
  requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }))
}

addEventListener('popstate', () => (path.value = location.pathname))

/** Same-origin links under /ui navigate in place (a modified click still opens a new tab). */
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const a = (e.target as Element | null)?.closest?.('a')
  if (!a || a.target || a.origin !== location.origin || !a.pathname.startsWith('/ui')) return
  e.preventDefault()
  navigate(a.pathname + a.search)
})

export type Route =
  | { page: 'overview' }
  | { page: 'cluster'; cluster: string }
  | { page: 'service'; cluster: string; service: string }
  | { page: 'task'; cluster: string; task: string }
  | { page: 'taskdefs'; family?: string; revision?: string }
  | { page: 'notfound'; path: string }

export function route(p: string): Route {
  const parts = p.replace(/^\/ui\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  const [a, b, c, d] = parts
  if (parts.length === 0) return { page: 'overview' }
  if (a === 'clusters' && b && parts.length === 2) return { page: 'cluster', cluster: b }
  if (a === 'clusters' && b && c === 'services' && d && parts.length === 4) return { page: 'service', cluster: b, service: d }
  if (a === 'clusters' && b && c === 'tasks' && d && parts.length === 4) return { page: 'task', cluster: b, task: d }
  if (a === 'task-definitions' && parts.length <= 3) return { page: 'taskdefs', family: b, revision: c }
  return { page: 'notfound', path: p }
}

const enc = encodeURIComponent
export const href = {
  overview: () => '/ui',
  cluster: (c: string) => `/ui/clusters/${enc(c)}`,
  service: (c: string, s: string) => `/ui/clusters/${enc(c)}/services/${enc(s)}`,
  task: (c: string, id: string) => `/ui/clusters/${enc(c)}/tasks/${enc(id)}`,
  taskdefs: (family?: string, revision?: number | string) =>
    `/ui/task-definitions${family ? `/${enc(family)}${revision !== undefined ? `/${revision}` : ''}` : ''}`,
}

/** `arn:aws:ecs:r:a:task/cluster/id` → its last path part; a plain name stays as it is. */
export const lastPart = (arn: string | undefined) => (arn ?? '').split('/').pop() ?? ''
/** Cluster name from a cluster, service or task ARN (`cluster/<name>`, `service/<cluster>/<name>`, `task/<cluster>/<id>`). */
export function clusterOf(arn: string | undefined): string {
  const res = (arn ?? '').split(':').slice(5).join(':')
  const parts = res.split('/')
  return parts[0] === 'cluster' ? parts[1] ?? '' : parts.length >= 3 ? parts[1]! : ''
}
