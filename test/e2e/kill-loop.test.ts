import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRawClient, type RawClient } from '../../src/bench/client.js'
import { prng as rng } from '../../src/bench/workloads.js'
import { alive, BUILT, cliHome, freePort, until } from '../helpers/cli.js'

/**
 * Issue 15: `kill -9` under load, in a loop. 50 concurrent writers (clusters with tags, task definitions,
 * RunTask with tags, services, TagResource, SSM parameters, secrets, log events) run against
 * `kecs start -d` for a random while; the instance is killed mid-load and started again on the same
 * ports; every write that was acknowledged must be there, whole. KECS_KILLS sets the number of kills
 * (default 20), KECS_KILL_SEED the seed (printed).
 */
const KILLS = Number(process.env.KECS_KILLS ?? 20)
const SEED = Number(process.env.KECS_KILL_SEED ?? Date.now() % 100_000)
const WRITERS = 50

/** What the writers were told succeeded. */
interface Ledger {
  clusters: Map<string, string> // name -> tag value
  taskDefinitions: Map<string, string> // family:revision -> image
  tasks: Map<string, string> // arn -> tag value
  services: Set<string> // name (in cluster "kl")
  clusterTags: Map<string, Map<string, string>> // cluster arn -> tag key -> value (TagResource; one key per writer)
  /** TagResource calls not acknowledged since that key's last acknowledged one: in flight at a kill, they may have landed. */
  tagsInFlight: Map<string, Set<string>> // `${arn} ${key}` -> values
  parameters: Map<string, string>
  secrets: Map<string, string>
  logEvents: Map<string, string[]> // stream -> messages
}

const TD = (family: string, image: string) => ({
  family,
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'app', image, essential: true }],
})

describe.skipIf(!BUILT)('kill -9 under 50 writers, in a loop', { timeout: 15 * 60_000 }, () => {
  const cli = cliHome('kecs-kill-loop-')
  let port = 0
  let adminPort = 0
  let pid = 0
  const ledger: Ledger = {
    clusters: new Map(),
    taskDefinitions: new Map(),
    tasks: new Map(),
    services: new Set(),
    clusterTags: new Map(),
    tagsInFlight: new Map(),
    parameters: new Map(),
    secrets: new Map(),
    logEvents: new Map(),
  }
  const clients = () => {
    const endpoint = `http://127.0.0.1:${port}`
    return {
      ecs: createRawClient(endpoint, { maxSockets: WRITERS, timeoutMs: 10_000 }),
      ssm: createRawClient(endpoint, { targetPrefix: 'AmazonSSM', service: 'ssm', timeoutMs: 10_000 }),
      sm: createRawClient(endpoint, { targetPrefix: 'secretsmanager', service: 'secretsmanager', timeoutMs: 10_000 }),
      logs: createRawClient(endpoint, { targetPrefix: 'Logs_20140328', service: 'logs', timeoutMs: 10_000 }),
    }
  }
  type Clients = ReturnType<typeof clients>
  const closeAll = (c: Clients) => Object.values(c).forEach((x: RawClient) => x.close())

  async function start() {
    const inst = await cli.startDetached('loop', { port, adminPort })
    pid = inst.pid
  }

  beforeAll(async () => {
    port = await freePort()
    adminPort = await freePort()
    await start()
    const c = clients()
    await c.ecs.call('CreateCluster', { clusterName: 'kl' })
    await c.ecs.call('RegisterTaskDefinition', TD('kl-base', 'nginx:1'))
    await c.logs.call('CreateLogGroup', { logGroupName: 'kl' })
    closeAll(c)
    process.stdout.write(`kill loop: ${KILLS} kills, seed ${SEED} (KECS_KILLS, KECS_KILL_SEED)\n`)
  })
  afterAll(() => cli.cleanup())

  /** One writer: random writes until `stop()`; records what was acknowledged. */
  async function writer(c: Clients, w: number, round: number, random: () => number, stopping: () => boolean) {
    let i = 0
    while (!stopping()) {
      const n = `${round}-${w}-${i++}`
      const pick = Math.floor(random() * 8)
      try {
        switch (pick) {
          case 0: {
            await c.ecs.call('CreateCluster', { clusterName: `c-${n}`, tags: [{ key: 'k', value: n }] })
            ledger.clusters.set(`c-${n}`, n)
            break
          }
          case 1: {
            const out = await c.ecs.call('RegisterTaskDefinition', TD(`f-${w}`, `img:${n}`))
            ledger.taskDefinitions.set(`f-${w}:${out.taskDefinition.revision}`, `img:${n}`)
            break
          }
          case 2: {
            const out = await c.ecs.call('RunTask', { cluster: 'kl', taskDefinition: 'kl-base', launchType: 'FARGATE', tags: [{ key: 'k', value: n }] })
            for (const t of out.tasks ?? []) ledger.tasks.set(t.taskArn, n)
            break
          }
          case 3: {
            await c.ecs.call('CreateService', { cluster: 'kl', serviceName: `s-${n}`, taskDefinition: 'kl-base', desiredCount: 0, launchType: 'FARGATE' })
            ledger.services.add(`s-${n}`)
            break
          }
          case 4: {
            // One tag key per writer: a writer's own calls never overlap, so its last acknowledged value is the
            // one stored (two writers' concurrent calls on one key could be acknowledged in either order).
            // Writers 0-39 only: with `k`, at most 41 of ECS's 50 tags per resource.
            const names = [...ledger.clusters.keys()]
            const name = names[Math.floor(random() * names.length)]
            if (!name || w >= 40) break
            const arn = `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`
            const inFlight = ledger.tagsInFlight.get(`${arn} w${w}`) ?? new Set<string>()
            ledger.tagsInFlight.set(`${arn} w${w}`, inFlight.add(n))
            await c.ecs.call('TagResource', { resourceArn: arn, tags: [{ key: `w${w}`, value: n }] })
            inFlight.clear()
            const tags = ledger.clusterTags.get(arn) ?? new Map<string, string>()
            ledger.clusterTags.set(arn, tags.set(`w${w}`, n))
            break
          }
          case 5: {
            await c.ssm.call('PutParameter', { Name: `/kl/${n}`, Value: `v-${n}`, Type: 'String' })
            ledger.parameters.set(`/kl/${n}`, `v-${n}`)
            break
          }
          case 6: {
            await c.sm.call('CreateSecret', { Name: `kl/${n}`, SecretString: `s-${n}` })
            ledger.secrets.set(`kl/${n}`, `s-${n}`)
            break
          }
          default: {
            const stream = `w${w}-r${round}-${i}`
            await c.logs.call('CreateLogStream', { logGroupName: 'kl', logStreamName: stream })
            const messages = [`a-${n}`, `b-${n}`]
            await c.logs.call('PutLogEvents', { logGroupName: 'kl', logStreamName: stream, logEvents: messages.map((message, j) => ({ timestamp: Date.now() + j, message })) })
            ledger.logEvents.set(stream, messages)
          }
        }
      } catch {
        if (!alive(pid)) return // the kill: what was in flight was never acknowledged
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  }

  /** Everything in the ledger is there, whole. Returns how many writes were checked. */
  async function verify(c: Clients): Promise<number> {
    let checked = 0
    const clusterNames = [...ledger.clusters.keys()]
    for (let i = 0; i < clusterNames.length; i += 100) {
      const out = await c.ecs.call('DescribeClusters', { clusters: clusterNames.slice(i, i + 100), include: ['TAGS'] })
      expect(out.failures, 'acknowledged clusters missing').toEqual([])
      for (const cl of out.clusters) {
        const tags = new Map((cl.tags ?? []).map((t: any) => [t.key, t.value]))
        expect(tags.get('k'), `cluster ${cl.clusterName} without its tags`).toBe(ledger.clusters.get(cl.clusterName))
        const extra = ledger.clusterTags.get(cl.clusterArn) ?? new Map<string, string>()
        for (const [k, v] of extra) {
          // The acknowledged value, or a later call of that writer's that was cut off by a kill after it was stored.
          const got = tags.get(k) as string | undefined
          if (got !== v && got !== undefined && ledger.tagsInFlight.get(`${cl.clusterArn} ${k}`)?.has(got)) continue
          expect(got, `TagResource on ${cl.clusterName} lost`).toBe(v)
        }
        checked += 1 + extra.size
      }
    }
    const taskArns = [...ledger.tasks.keys()]
    for (let i = 0; i < taskArns.length; i += 100) {
      const out = await c.ecs.call('DescribeTasks', { cluster: 'kl', tasks: taskArns.slice(i, i + 100), include: ['TAGS'] })
      expect(out.failures, 'acknowledged tasks missing').toEqual([])
      for (const t of out.tasks) {
        expect(t.tags?.find((x: any) => x.key === 'k')?.value, `task ${t.taskArn} without its tags`).toBe(ledger.tasks.get(t.taskArn))
        checked++
      }
    }
    const services = [...ledger.services]
    for (let i = 0; i < services.length; i += 10) {
      const out = await c.ecs.call('DescribeServices', { cluster: 'kl', services: services.slice(i, i + 10) })
      expect(out.failures, 'acknowledged services missing').toEqual([])
      for (const s of out.services) {
        expect(s.deployments?.length, `service ${s.serviceName} without its deployment`).toBeGreaterThan(0)
        checked++
      }
    }
    for (const [key, image] of ledger.taskDefinitions) {
      const out = await c.ecs.call('DescribeTaskDefinition', { taskDefinition: key })
      expect(out.taskDefinition.containerDefinitions[0].image, key).toBe(image)
      checked++
    }
    const names = [...ledger.parameters.keys()]
    for (let i = 0; i < names.length; i += 10) {
      const out = await c.ssm.call('GetParameters', { Names: names.slice(i, i + 10) })
      expect(out.InvalidParameters ?? [], 'acknowledged parameters missing').toEqual([])
      for (const p of out.Parameters) expect(p.Value).toBe(ledger.parameters.get(p.Name))
      checked += out.Parameters.length
    }
    for (const [name, value] of ledger.secrets) {
      const out = await c.sm.call('GetSecretValue', { SecretId: name })
      expect(out.SecretString, name).toBe(value)
      checked++
    }
    for (const [stream, messages] of ledger.logEvents) {
      const out = await c.logs.call('GetLogEvents', { logGroupName: 'kl', logStreamName: stream, startFromHead: true })
      expect(out.events.map((e: any) => e.message), stream).toEqual(messages)
      checked++
    }
    return checked
  }

  it('keeps every acknowledged write through each kill, and tasks are reconciled with their pods', async () => {
    const random = rng(SEED)
    let acknowledged = 0
    let checked = 0
    const before = () =>
      ledger.clusters.size + ledger.taskDefinitions.size + ledger.tasks.size + ledger.services.size + [...ledger.clusterTags.values()].reduce((n, m) => n + m.size, 0) + ledger.parameters.size + ledger.secrets.size + ledger.logEvents.size
    for (let round = 0; round < KILLS; round++) {
      const c = clients()
      const start0 = before()
      let killed = false
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(c, w, round, random, () => killed))
      // Kill at a random point of the load: from just after it begins to well into it.
      await new Promise((r) => setTimeout(r, 50 + Math.floor(random() * 700)))
      process.kill(pid, 'SIGKILL')
      killed = true
      await Promise.all(writers)
      await until('the instance to die', () => !alive(pid))
      closeAll(c)
      acknowledged += before() - start0

      const t0 = Date.now()
      await start()
      const t1 = Date.now()
      const v = clients()
      checked = await verify(v)
      closeAll(v)
      if (process.env.KECS_KILL_VERBOSE) process.stdout.write(`round ${round}: +${before() - start0} acked, start ${t1 - t0} ms, verify ${Date.now() - t1} ms\n`)
    }
    // Reconciled: every acknowledged task gets its pod after the restarts and reaches RUNNING.
    const v = clients()
    const arns = [...ledger.tasks.keys()]
    await until(
      'every acknowledged task to be RUNNING',
      async () => {
        for (let i = 0; i < arns.length; i += 100) {
          const out = await v.ecs.call('DescribeTasks', { cluster: 'kl', tasks: arns.slice(i, i + 100) })
          if (out.tasks.some((t: any) => t.lastStatus !== 'RUNNING')) return false
        }
        return true
      },
      60_000,
    )
    closeAll(v)
    process.stdout.write(`kill loop: ${KILLS} kills survived, ${acknowledged} acknowledged writes, ${checked} checked after the last restart (seed ${SEED})\n`)
    expect(acknowledged).toBeGreaterThan(KILLS * 10)
  })
})
