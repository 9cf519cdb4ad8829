import { CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureDefaultCluster } from '../../src/cli/default-cluster.js'
import { RepeatFilter } from '../../src/cli/event-format.js'
import { browserCommand, openUi } from '../../src/cli/open-ui.js'
import { firstStartLines, readyLines } from '../../src/cli/printers.js'
import { instanceDir, isFirstStart, writeInstance, type InstanceRecord } from '../../src/cli/registry.js'
import type { EcsEvent } from '../../src/events/bus.js'

const record: InstanceRecord = {
  name: 'default',
  pid: 42,
  host: '127.0.0.1',
  port: 8080,
  adminPort: 8081,
  endpoint: 'http://127.0.0.1:8080',
  clusterProvider: 'emulated',
  startedAt: '2024-01-01T00:00:00Z',
  kubeconfig: null,
  region: 'us-east-1',
}

describe('kecs start prints the web UI', () => {
  it('with the endpoint, foreground and -d', () => {
    for (const detached of [false, true]) {
      const lines = readyLines(record, { detached })
      expect(lines[0]).toContain('http://127.0.0.1:8080')
      expect(lines).toContain('  web UI   http://127.0.0.1:8080/ui')
    }
  })

  it('and on a first start, three lines on what to try next', () => {
    expect(firstStartLines(record)).toHaveLength(3)
    const first = readyLines(record, { detached: true, firstStart: true })
    const later = readyLines(record, { detached: true })
    expect(first.length - later.length).toBe(4) // a blank line and the three
    expect(first.join('\n')).toContain('kecs ui')
    expect(later.join('\n')).not.toContain('Try next')
  })

  it('a first start is one in a KECS_HOME with no instance folder yet', () => {
    const home = mkdtempSync(join(tmpdir(), 'kecs-home-'))
    try {
      expect(isFirstStart(home)).toBe(true)
      mkdirSync(join(home, 'instances', 'default'), { recursive: true })
      expect(isFirstStart(home)).toBe(false)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})

describe('kecs ui', () => {
  const io = () => {
    const out: string[] = []
    const err: string[] = []
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } }
  }

  it('opens the URL with the platform opener', async () => {
    const opened: string[][] = []
    const o = io()
    const url = await openUi({ name: 'x', endpoint: 'http://127.0.0.1:9000/' }, o.io, {
      platform: 'linux',
      env: { DISPLAY: ':0' },
      open: async (cmd, args) => (opened.push([cmd, ...args]), true),
    })
    expect(url).toBe('http://127.0.0.1:9000/ui')
    expect(opened).toEqual([['xdg-open', 'http://127.0.0.1:9000/ui']])
    expect(o.err[0]).toMatch(/^Opened /)
  })

  it('prints the URL where no browser can be opened (no desktop, CI, a failing opener)', async () => {
    for (const [platform, env, works] of [
      ['linux', {}, true],
      ['darwin', { CI: 'true' }, true],
      ['darwin', {}, false],
    ] as const) {
      const o = io()
      await openUi({ name: 'x', endpoint: 'http://127.0.0.1:9000' }, o.io, { platform, env, open: async () => works })
      expect(o.out).toEqual(['http://127.0.0.1:9000/ui'])
      expect(o.err[0]).toMatch(/No browser could be opened/)
    }
    expect(browserCommand('darwin', {})).toEqual(['open', []])
    expect(browserCommand('linux', { WAYLAND_DISPLAY: 'w' })).toEqual(['xdg-open', []])
  })

  it('with --auth sigv4: hands the UI the client key in the fragment; instance.json is for its owner only', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kecs-home-'))
    try {
      const dir = instanceDir('signed', home)
      writeInstance(dir, { ...record, name: 'signed', pid: process.pid, auth: 'sigv4', clientKey: 'k+ey/1' })
      expect(statSync(join(dir, 'instance.json')).mode & 0o777).toBe(0o600)
      const o = io()
      const url = await openUi({ name: 'signed', home }, o.io, { platform: 'linux', env: {}, open: async () => false })
      expect(url).toBe('http://127.0.0.1:8080/ui#kecs-client-key=k%2Bey%2F1')
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('fails in one line when the instance is not running', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kecs-home-'))
    try {
      await expect(openUi({ name: 'nope', home }, io().io, { open: async () => true })).rejects.toThrow('KECS "nope" is not running')
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})

describe('the default cluster on first use', () => {
  const fake = (clusters: { status: string }[]) => {
    const sent: string[] = []
    return {
      sent,
      ecs: {
        send: async (cmd: unknown) => {
          if (cmd instanceof DescribeClustersCommand) return (sent.push('DescribeClusters'), { clusters })
          if (cmd instanceof CreateClusterCommand) return (sent.push(`CreateCluster ${cmd.input.clusterName}`), {})
          throw new Error('unexpected')
        },
      } as never,
    }
  }

  it('is created, in one line, when it does not exist (or is INACTIVE)', async () => {
    for (const clusters of [[], [{ status: 'INACTIVE' }]]) {
      const f = fake(clusters)
      const said: string[] = []
      expect(await ensureDefaultCluster(f.ecs, 'default', (l) => said.push(l))).toBe(true)
      expect(f.sent).toEqual(['DescribeClusters', 'CreateCluster default'])
      expect(said).toHaveLength(1)
      expect(said[0]).toContain('Created the "default" cluster')
    }
  })

  it('is left alone when it exists; another cluster name is never created', async () => {
    const f = fake([{ status: 'ACTIVE' }])
    expect(await ensureDefaultCluster(f.ecs, 'default', () => {})).toBe(false)
    expect(f.sent).toEqual(['DescribeClusters'])
    const g = fake([])
    expect(await ensureDefaultCluster(g.ecs, 'ci', () => {})).toBe(false)
    expect(g.sent).toEqual([])
  })
})

describe('event lines are not printed twice in a row', () => {
  const A = 'arn:aws:ecs:us-east-1:000000000000:task/c/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
  const B = 'arn:aws:ecs:us-east-1:000000000000:task/c/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
  let n = 0
  const task = (arn: string, lastStatus: string, extra: object = {}): EcsEvent => ({
    version: '0',
    id: String(n++),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '000000000000',
    time: `2024-01-01T00:00:0${n % 10}Z`,
    region: 'us-east-1',
    resources: [arn],
    detail: { taskArn: arn, lastStatus, desiredStatus: 'RUNNING', taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1', ...extra },
  })
  afterEach(() => void (n = 0))

  it('when only a field the line leaves out changed, per task', () => {
    const f = new RepeatFilter()
    const seen = [
      task(A, 'PENDING'),
      task(A, 'PENDING', { pullStartedAt: 'x', version: 2 }),
      task(B, 'PENDING'),
      task(A, 'RUNNING'),
      task(A, 'RUNNING', { connectivity: 'CONNECTED' }),
      task(B, 'PENDING', { version: 3 }),
      task(B, 'RUNNING'),
    ].filter((e) => f.fresh(e))
    expect(seen.map((e) => `${e.resources[0]!.slice(-1)} ${e.detail.lastStatus}`)).toEqual(['a PENDING', 'b PENDING', 'a RUNNING', 'b RUNNING'])
  })
})
