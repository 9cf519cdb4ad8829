/** An ECS event in EventBridge shape, as `/ws` sends it. */
export interface EcsEvent {
  id: string
  'detail-type': string
  time: string
  resources: string[]
  detail: Record<string, any>
}

/** The cluster, service and task an event is about, for filters and links. */
export function refsOf(e: EcsEvent): { cluster?: string; service?: string; task?: string } {
  const d = e.detail ?? {}
  const arn = (a: unknown) => (typeof a === 'string' ? a.split(':').slice(5).join(':').split('/') : [])
  const out: { cluster?: string; service?: string; task?: string } = {}
  const c = arn(d.clusterArn)
  if (c[0] === 'cluster') out.cluster = c[1]
  for (const r of [...(e.resources ?? []), d.taskArn, d.serviceArn]) {
    const p = arn(r)
    if (p[0] === 'service') {
      if (p.length >= 3) out.cluster ??= p[1]
      out.service ??= p[p.length - 1]
    } else if (p[0] === 'task' && p.length >= 3) {
      out.cluster ??= p[1]
      out.task ??= p[2]
    } else if (p[0] === 'cluster') out.cluster ??= p[1]
  }
  if (!out.service && typeof d.group === 'string' && d.group.startsWith('service:')) out.service = d.group.slice(8)
  return out
}

/** A short line for an event: what changed, in the words of its detail. */
export function summary(e: EcsEvent): string {
  const d = e.detail ?? {}
  switch (e['detail-type']) {
    case 'ECS Task State Change':
      return `${String(d.taskArn ?? '').split('/').pop()?.slice(0, 8)} ${d.lastStatus ?? ''}${d.desiredStatus && d.desiredStatus !== d.lastStatus ? `, desired ${d.desiredStatus}` : ''}${d.stoppedReason ? ` (${d.stoppedReason})` : ''}`
    case 'ECS Service Action':
      return `${d.eventName ?? 'service action'}${d.reason ? `: ${d.reason}` : ''}`
    case 'ECS Deployment State Change':
      return `${d.eventName ?? 'deployment'}${d.reason ? `: ${d.reason}` : ''}`
    default:
      return d.eventName ?? d.status ?? e['detail-type']
  }
}
