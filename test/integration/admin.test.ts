import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/** The admin server: /health, /ready, /status and /metrics (Prometheus text). */
describe('admin server', () => {
  let t: TestInstance
  const errors: { err: unknown; requestId: string }[] = []
  let admin: string
  beforeAll(async () => {
    t = await startTestInstance({ onError: (err, requestId) => errors.push({ err, requestId }) })
    admin = `http://127.0.0.1:${t.instance.admin.port}`
  })
  afterAll(async () => t.stop())

  const metrics = async () => {
    const res = await fetch(`${admin}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    return res.text()
  }
  /** The value of one sample line, by its exact name and labels. */
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `))
    return line === undefined ? undefined : Number(line.slice(series.length + 1))
  }

  it('answers /health, /ready and /status as JSON', async () => {
    expect(await (await fetch(`${admin}/health`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${admin}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready', clusterProvider: 'none' })
    const status = await (await fetch(`${admin}/status`)).json()
    expect(status).toMatchObject({ status: 'ready', pid: process.pid, resources: { clusters: 0 } })
  })

  it('counts requests by operation and status, with a latency histogram per operation', async () => {
    await t.call('CreateCluster', { clusterName: 'm1' })
    await t.call('CreateCluster', { clusterName: 'm2' })
    await t.call('DescribeTaskDefinition', { taskDefinition: 'missing' }) // 400 ClientException
    const text = await metrics()
    expect(text).toContain('# TYPE kecs_requests_total counter')
    expect(sample(text, 'kecs_requests_total{operation="CreateCluster",status="200"}')).toBe(2)
    expect(sample(text, 'kecs_requests_total{operation="DescribeTaskDefinition",status="400"}')).toBe(1)

    expect(text).toContain('# TYPE kecs_request_duration_seconds histogram')
    const buckets = text
      .split('\n')
      .filter((l) => l.startsWith('kecs_request_duration_seconds_bucket{operation="CreateCluster"'))
      .map((l) => Number(l.split(' ')[1]))
    expect(buckets.length).toBeGreaterThan(2)
    // Cumulative: never decreasing, and the +Inf bucket is the count.
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!)
    expect(sample(text, 'kecs_request_duration_seconds_bucket{operation="CreateCluster",le="+Inf"}')).toBe(2)
    expect(sample(text, 'kecs_request_duration_seconds_count{operation="CreateCluster"}')).toBe(2)
    expect(sample(text, 'kecs_request_duration_seconds_sum{operation="CreateCluster"}')).toBeGreaterThan(0)
  })

  it('reports resource counts as gauges, read at scrape time', async () => {
    const before = sample(await metrics(), 'kecs_resources{kind="clusters"}')!
    await t.call('CreateCluster', { clusterName: 'm3' })
    await t.call('RegisterTaskDefinition', { family: 'm', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] })
    const text = await metrics()
    expect(text).toContain('# TYPE kecs_resources gauge')
    expect(sample(text, 'kecs_resources{kind="clusters"}')).toBe(before + 1)
    expect(sample(text, 'kecs_resources{kind="taskDefinitions"}')).toBe(1)
    expect(sample(text, 'kecs_resources{kind="services"}')).toBe(0)
    expect(sample(text, 'kecs_resources{kind="tasks"}')).toBe(0)
  })

  it('labels unknown targets "Unknown": a client cannot add labels or break the text format', async () => {
    await t.call('Made"Up\\Op', {})
    await t.call('AlsoMadeUp', {})
    const text = await metrics()
    expect(text).not.toContain('Made')
    expect(sample(text, 'kecs_requests_total{operation="Unknown",status="400"}')).toBe(2)
    // Every sample line is `name{label="value",...} number`.
    for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+\{([a-z]+="[^"\\\n]*",?)+\} [0-9.e+-]+$/)
    }
  })

  it('answers an unexpected failure with 500 ServerException and the request id, logging the stack, never showing it', async () => {
    const clusters = t.instance.repos.clusters
    const entries = clusters.entries.bind(clusters)
    clusters.entries = () => {
      throw new Error('secret internals at /src/store/doc-table.ts')
    }
    let r
    try {
      r = await t.call('ListClusters', {})
    } finally {
      clusters.entries = entries
    }
    expect(r.status).toBe(500)
    const requestId = r.headers.get('x-amzn-requestid')!
    expect(requestId).toBeTruthy()
    expect(r.headers.get('x-amzn-errortype')).toBe('ServerException')
    expect(r.body).toEqual({ __type: 'ServerException', message: `An internal error occurred (request id ${requestId}).` })
    expect(JSON.stringify(r.body)).not.toMatch(/secret|doc-table|at /)
    // Logged, with the stack, under the same request id.
    expect(errors).toHaveLength(1)
    expect(errors[0]!.requestId).toBe(requestId)
    expect((errors[0]!.err as Error).stack).toContain('secret internals')
    expect(sample(await metrics(), 'kecs_requests_total{operation="ListClusters",status="500"}')).toBe(1)
  })
})
