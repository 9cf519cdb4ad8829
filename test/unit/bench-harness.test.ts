import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseBenchArgs, selectSuites } from '../../src/bench/args.js'
import { CallError, createRawClient, errorTypeName } from '../../src/bench/client.js'
import { measure } from '../../src/bench/measure.js'
import { findOnPath } from '../../src/bench/peers.js'
import { metOf, ratioOf, renderFigures, type Figure } from '../../src/bench/figures.js'
import { renderSuite } from '../../src/bench/report.js'
import { throughputFigures } from '../../src/bench/runner.js'
import type { BenchSuite, SuiteReport } from '../../src/bench/types.js'
import { parseTaskDefinitionArn, prng } from '../../src/bench/workloads.js'

const tick = () => new Promise((r) => setImmediate(r))

describe('bench measure', () => {
  it('runs every index once, never more than `concurrency` at a time', async () => {
    const seen: number[] = []
    let inFlight = 0
    let peak = 0
    const r = await measure('T', 'w', 50, 4, async (i) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await tick()
      seen.push(i)
      inFlight--
    })
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(peak).toBe(4)
    expect(r).toMatchObject({ target: 'T', label: 'w', n: 50, concurrency: 4, completed: 50, ok: 50, errors: 0, stoppedEarly: false })
    expect(r.latency.count).toBe(50)
    expect(r.rps).toBeGreaterThan(0)
  })

  it('counts errors by type and keeps the first message instead of throwing', async () => {
    const r = await measure('KECS', 'CreateCluster', 10, 1, async (i) => {
      if (i % 2 === 0) throw new CallError('UnsupportedFeatureException', `op not supported (${i})`, 400)
      if (i === 3) throw new Error('socket hang up')
    })
    expect(r.ok).toBe(4)
    expect(r.errors).toBe(6)
    expect(r.errorTypes).toEqual({ UnsupportedFeatureException: 5, Error: 1 })
    expect(r.firstError).toBe('UnsupportedFeatureException: op not supported (0)')
    expect(r.latency.count).toBe(4)
  })

  it('reports no throughput and NaN percentiles when every call fails', async () => {
    const r = await measure('KECS', 'x', 5, 2, async () => {
      throw new CallError('ServerException', 'boom', 500)
    })
    expect(r.rps).toBe(0)
    expect(r.latency.p50Ms).toBeNaN()
    expect(r.errors).toBe(5)
  })

  it('stops starting calls once maxMs has passed', async () => {
    const r = await measure('T', 'slow', 1_000_000, 2, () => new Promise((res) => setTimeout(res, 5)), { maxMs: 30 })
    expect(r.stoppedEarly).toBe(true)
    expect(r.completed).toBeLessThan(1_000_000)
    expect(r.completed).toBe(r.ok)
  })

  it('keeps warm-up calls out of the figures and gives them indices after n', async () => {
    const indices: number[] = []
    const r = await measure('T', 'w', 3, 2, async (i) => void indices.push(i), { warmup: 4 })
    expect(indices.slice(0, 4).sort()).toEqual([3, 4, 5, 6])
    expect(r.completed).toBe(3)
    expect(r.latency.count).toBe(3)
  })
})

describe('bench raw JSON 1.1 client', () => {
  let server: Server
  let endpoint: string
  const seen: { target?: string; auth?: string; type?: string; body: string }[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        seen.push({ target: req.headers['x-amz-target'] as string, auth: req.headers.authorization, type: req.headers['content-type'], body })
        const op = String(req.headers['x-amz-target']).split('.')[1]
        if (op === 'ListClusters') return res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' }).end('{"clusterArns":[]}')
        if (op === 'Header') {
          return res
            .writeHead(400, { 'X-Amzn-ErrorType': 'ClientException:http://internal', 'Content-Type': 'application/x-amz-json-1.1' })
            .end('{"message":"from header"}')
        }
        if (op === 'Html') return res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html>nope</html>')
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' }).end('{"__type":"com.amazon#ClusterNotFoundException","Message":"Cluster not found."}')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('sends the JSON 1.1 headers and a SigV4-shaped Authorization naming the region', async () => {
    const c = createRawClient(endpoint, { region: 'eu-west-1' })
    try {
      expect(await c.call('ListClusters', { maxResults: 5 })).toEqual({ clusterArns: [] })
    } finally {
      c.close()
    }
    const last = seen.at(-1)!
    expect(last.target).toBe('AmazonEC2ContainerServiceV20141113.ListClusters')
    expect(last.type).toBe('application/x-amz-json-1.1')
    expect(last.auth).toMatch(/Credential=[^/]+\/\d{8}\/eu-west-1\/ecs\/aws4_request/)
    expect(JSON.parse(last.body)).toEqual({ maxResults: 5 })
  })

  it('turns error answers into CallError with the bare type and the message', async () => {
    const c = createRawClient(endpoint)
    const fail = (op: string) => c.call(op).then(() => undefined, (e: unknown) => e as CallError)
    try {
      expect(await fail('Body')).toMatchObject({ type: 'ClusterNotFoundException', status: 400, message: 'ClusterNotFoundException: Cluster not found.' })
      expect(await fail('Header')).toMatchObject({ type: 'ClientException', message: 'ClientException: from header' })
      expect(await fail('Html')).toMatchObject({ type: 'HTTP404', status: 404 })
    } finally {
      c.close()
    }
  })

  it('reports a refused connection as NetworkError', async () => {
    const c = createRawClient('http://127.0.0.1:1', { timeoutMs: 2_000 })
    try {
      await expect(c.call('ListClusters')).rejects.toMatchObject({ type: 'NetworkError' })
    } finally {
      c.close()
    }
  })

  it('strips namespaces and suffixes from error type names', () => {
    expect(errorTypeName('ClientException')).toBe('ClientException')
    expect(errorTypeName('com.amazonaws.ecs#ClientException')).toBe('ClientException')
    expect(errorTypeName('ClientException:http://internal.amazon.com/')).toBe('ClientException')
  })
})

describe('bench command line', () => {
  const suite = (name: string): BenchSuite => ({ name, description: name, run: async () => {} })
  const all = [suite('create-cluster'), suite('register-task-definition'), suite('task-definitions-10k')]

  it('parses --only (repeated or comma-separated), --json, --no-compare, --scale', () => {
    expect(parseBenchArgs([])).toEqual({ only: [], compare: true, scale: 1, list: false, all: false, strict: false, help: false, json: undefined })
    const a = parseBenchArgs(['--only', 'create-cluster,register-task-definition', '--only', 'x', '--json', 'out.json', '--no-compare', '--scale', '0.1'])
    expect(a).toMatchObject({ only: ['create-cluster', 'register-task-definition', 'x'], json: 'out.json', compare: false, scale: 0.1 })
    expect(() => parseBenchArgs(['--scale', 'fast'])).toThrow(/--scale/)
    expect(() => parseBenchArgs(['--bogus'])).toThrow()
  })

  it('reads --json without a file (last, or before another option) as stdout', () => {
    expect(parseBenchArgs(['--json']).json).toBe('-')
    expect(parseBenchArgs(['--json', '--scale', '0.1'])).toMatchObject({ json: '-', scale: 0.1 })
    expect(parseBenchArgs(['--json', 'out.json']).json).toBe('out.json')
  })

  it('selects suites by name in registry order and names the unknown ones', () => {
    expect(selectSuites(all, []).map((s) => s.name)).toEqual(all.map((s) => s.name))
    expect(selectSuites(all, ['TASK-definitions-10k', 'create-cluster']).map((s) => s.name)).toEqual(['create-cluster', 'task-definitions-10k'])
    expect(() => selectSuites(all, ['nope'])).toThrow(/unknown suite nope; suites: create-cluster, register-task-definition/)
  })

  it('leaves the extra suites out of the default run, unless --all or named', () => {
    const withExtra = [...all, { ...suite('services'), extra: true }]
    expect(selectSuites(withExtra, []).map((s) => s.name)).toEqual(all.map((s) => s.name))
    expect(selectSuites(withExtra, [], true).map((s) => s.name)).toContain('services')
    expect(selectSuites(withExtra, ['services']).map((s) => s.name)).toEqual(['services'])
    expect(parseBenchArgs(['--all']).all).toBe(true)
  })
})

describe('bench report', () => {
  const result = (target: string, label: string, extra: object = {}) => ({
    label,
    target,
    n: 2000,
    concurrency: 16,
    completed: 2000,
    ok: 2000,
    errors: 0,
    errorTypes: {},
    wallMs: 1000,
    rps: 2000,
    latency: { count: 2000, minMs: 1, meanMs: 2, p50Ms: 1.5, p90Ms: 3, p99Ms: 12.34, maxMs: 20 },
    stoppedEarly: false,
    ...extra,
  })

  it('puts the targets side by side and footnotes errors with their first message', () => {
    const report: SuiteReport = {
      name: 'demo',
      description: 'demo suite',
      durationMs: 1500,
      targets: ['KECS', 'moto'],
      figures: [],
      results: [
        result('KECS', 'CreateCluster', {
          ok: 0,
          errors: 2000,
          rps: 0,
          errorTypes: { UnsupportedFeatureException: 2000 },
          firstError: 'UnsupportedFeatureException: The operation CreateCluster is not supported by KECS yet.',
          latency: { count: 0, minMs: NaN, meanMs: NaN, p50Ms: NaN, p90Ms: NaN, p99Ms: NaN, maxMs: NaN },
        }),
        result('moto', 'CreateCluster'),
      ],
      notes: [{ target: 'moto', text: 'seeding took 1.0 s' }],
    }
    const text = renderSuite(report)
    const lines = text.split('\n')
    expect(lines[0]).toBe('== demo: demo suite  (1.5 s)')
    expect(lines[1]).toMatch(/─ KECS ─.*─ moto ─/)
    expect(lines[2]).toMatch(/^workload\s+calls\s+conc\s+req\/s\s+p50 ms\s+p99 ms\s+errors\s+req\/s\s+p50 ms\s+p99 ms\s+errors$/)
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['CreateCluster', '2,000', '16', '-', '-', '-', '2,000', '2,000', '1.50', '12.3', '0'])
    expect(text).toContain(
      'KECS · CreateCluster: 2,000/2,000 calls failed (UnsupportedFeatureException ×2,000); first: UnsupportedFeatureException: The operation CreateCluster is not supported by KECS yet.',
    )
    expect(text).toContain('moto · seeding took 1.0 s')
  })

  it('says when a suite crashed or the comparison was skipped', () => {
    const text = renderSuite({ name: 'x', description: 'y', durationMs: 0, targets: ['KECS'], figures: [], results: [], notes: [], error: 'boom', compareSkipped: 'moto failed to start' })
    expect(text).toContain('(no measurements)')
    expect(text).toContain('SUITE FAILED: boom')
    expect(text).toContain('moto failed to start')
  })
})

describe('bench helpers', () => {
  it('prng is deterministic and in [0, 1)', () => {
    const a = prng(1)
    const b = prng(1)
    const xs = Array.from({ length: 100 }, () => a())
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it('parses task definition ARNs from any account', () => {
    expect(parseTaskDefinitionArn('arn:aws:ecs:us-east-1:123456789012:task-definition/bench-fam-007:42')).toEqual({ family: 'bench-fam-007', revision: 42 })
    expect(parseTaskDefinitionArn('arn:aws:ecs:us-east-1:000000000000:cluster/x')).toBeUndefined()
  })

  it('finds executables on PATH only', () => {
    expect(findOnPath('node')).toMatch(/node$/)
    expect(findOnPath('definitely-not-installed-kecs-bench', '/nonexistent')).toBeUndefined()
  })
})

describe('bench summary figures', () => {
  const rps = (kecs: number | string, peer?: number): Figure => ({ figure: 'RunTask: throughput', unit: 'req/s', better: 'higher', kecs, peer, target: { ratioAtLeast: 10 } })

  it('ratio is KECS over the peer for throughput and the peer over KECS for times', () => {
    expect(ratioOf(rps(1000, 50))).toBe(20)
    expect(ratioOf({ figure: 'start', unit: 'ms', better: 'lower', kecs: 500, peer: 2000 })).toBe(4)
    expect(ratioOf(rps(1000))).toBeUndefined()
    expect(ratioOf(rps('n/a (no /reset)', 5))).toBeUndefined()
  })

  it('met: every condition holds; unknown without the numbers it needs', () => {
    expect(metOf(rps(1000, 50))).toBe(true)
    expect(metOf(rps(400, 50))).toBe(false)
    expect(metOf(rps(400))).toBeUndefined()
    expect(metOf(rps('n/a (no /reset)'))).toBeUndefined()
    const start = (kecs: number, peer: number): Figure => ({ figure: 's', unit: 'ms', better: 'lower', kecs, peer, target: { below: 1500, fasterThanPeer: true } })
    expect(metOf(start(900, 2000))).toBe(true)
    expect(metOf(start(900, 800))).toBe(false)
    expect(metOf(start(1600, 9000))).toBe(false)
  })

  it('renders figure | KECS | moto | ratio | target | met?', () => {
    const text = renderFigures([rps(1000, 50), { figure: 'reset', unit: 'ms', better: 'lower', kecs: 'n/a (no /reset)', peer: 40, target: { below: 300 } }])
    const lines = text.split('\n')
    expect(lines[0]).toBe('== summary: 2 figures, 1 targets met, 0 missed, 1 unknown')
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['figure', 'KECS', 'moto', 'ratio (KECS better by)', 'target', 'met?'])
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['RunTask: throughput', '1,000 req/s', '50 req/s', '20×', '≥ 10× moto', 'yes'])
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['reset', 'n/a (no /reset)', '40.0 ms', '-', '< 300 ms', '?'])
  })

  it('throughput figures line up KECS and the peer by measure label', () => {
    const r = (target: string, rpsV: number, p99: number) => ({
      label: 'ListTasks', target, n: 10, concurrency: 8, completed: 10, ok: 10, errors: 0, errorTypes: {}, wallMs: 1, rps: rpsV, stoppedEarly: false,
      latency: { count: 10, minMs: 1, meanMs: 1, p50Ms: 1, p90Ms: 1, p99Ms: p99, maxMs: p99 },
    })
    const report: SuiteReport = { name: 'x', description: 'x', durationMs: 0, targets: ['KECS', 'moto'], figures: [], notes: [], results: [r('KECS', 5000, 4), r('moto', 100, 80)] }
    const [tput, , p99] = throughputFigures(report, 'ListTasks', { p99Below: 10 })
    expect(tput).toMatchObject({ kecs: 5000, peer: 100, target: { ratioAtLeast: 10 } })
    expect(p99).toMatchObject({ kecs: 4, peer: 80, target: { below: 10 } })
    expect(metOf(p99!)).toBe(true)
  })
})
