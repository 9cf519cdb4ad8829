/** Prometheus text metrics for the admin server: requests by operation and status, latency, resources. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/**
 * Why a request was refused before any service saw it (`kecs_refused_requests_total{reason}`): `host` and
 * `origin` by the local-only guard (src/server/local-only.ts), `body_too_large` and `auth` by the body limit
 * and signature checks. Each is shown from 0; a new reason is one more name here.
 */
export const REFUSED_REASONS = ['host', 'origin', 'body_too_large', 'auth'] as const
export type RefusedReason = (typeof REFUSED_REASONS)[number]

export class Metrics {
  private readonly requests = new Map<string, number>()
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>()
  private readonly gauges = new Map<string, () => Record<string, number>>()
  private readonly refused = new Map<RefusedReason, number>(REFUSED_REASONS.map((r) => [r, 0]))

  /** One request refused before reaching a service, for `reason`. */
  countRefused(reason: RefusedReason) {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1)
  }

  observe(operation: string, status: number, seconds: number) {
    const key = `${operation}\u0000${status}`
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1)
    let h = this.latency.get(operation)
    if (!h) this.latency.set(operation, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }))
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h!.buckets[i]!++
    })
    h.sum += seconds
    h.count++
  }

  /** A gauge family whose labelled values are read at scrape time. */
  gauge(name: string, read: () => Record<string, number>) {
    this.gauges.set(name, read)
  }

  render(): string {
    const lines: string[] = []
    lines.push('# HELP kecs_requests_total API requests (ECS, and neighbour services as service:Operation) by operation and HTTP status.')
    lines.push('# TYPE kecs_requests_total counter')
    for (const [key, n] of this.requests) {
      const [op, status] = key.split('\u0000')
      lines.push(`kecs_requests_total{operation="${op}",status="${status}"} ${n}`)
    }
    lines.push('# HELP kecs_request_duration_seconds API request latency.')
    lines.push('# TYPE kecs_request_duration_seconds histogram')
    for (const [op, h] of this.latency) {
      BUCKETS.forEach((b, i) => lines.push(`kecs_request_duration_seconds_bucket{operation="${op}",le="${b}"} ${h.buckets[i]}`))
      lines.push(`kecs_request_duration_seconds_bucket{operation="${op}",le="+Inf"} ${h.count}`)
      lines.push(`kecs_request_duration_seconds_sum{operation="${op}"} ${h.sum}`)
      lines.push(`kecs_request_duration_seconds_count{operation="${op}"} ${h.count}`)
    }
    lines.push('# HELP kecs_refused_requests_total Requests refused before reaching a service, by reason.')
    lines.push('# TYPE kecs_refused_requests_total counter')
    for (const [reason, n] of this.refused) lines.push(`kecs_refused_requests_total{reason="${reason}"} ${n}`)
    for (const [name, read] of this.gauges) {
      lines.push(`# TYPE ${name} gauge`)
      for (const [label, v] of Object.entries(read())) lines.push(`${name}{${label}} ${v}`)
    }
    return lines.join('\n') + '\n'
  }
}
