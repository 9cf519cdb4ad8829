import { request } from 'node:http'
import { createServer, type AddressInfo, type Server } from 'node:net'
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HostPortProblem } from '../../src/kube/host-ports.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Host ports on the emulated cluster: a task's static hostPort answers on 127.0.0.1 once the task
 * runs (through pods/portforward), stops answering when it stops; tasks of one group share the port
 * round-robin; a port held by another group or taken on the host is reported, never fatal.
 */
const CLUSTER = 'hostports-it'
let k: ClusterInstance
const problems: HostPortProblem[] = []

/** A port that is free right now: bind 0, read it, let it go. */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** A request over a new connection each time (no keep-alive pool), so round-robin is visible. */
function get(port: number, path = '/', upload?: Buffer): Promise<{ status: number; body: string; pod?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, method: upload ? 'POST' : 'GET' }, async (res) => {
      let body = ''
      for await (const c of res) body += c
      resolve({ status: res.statusCode!, body, pod: res.headers['x-kecs-pod'] as string | undefined })
    })
    req.on('error', reject)
    req.end(upload)
  })
}

const refused = (port: number) =>
  get(port).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
  )

async function webTaskDefinition(family: string, hostPort: number) {
  await k.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 64, portMappings: [{ containerPort: 80, hostPort }] }],
    }),
  )
}

async function run(family: string, extra: { count?: number; group?: string } = {}): Promise<Task[]> {
  const r = await k.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, ...extra }))
  expect(r.failures).toEqual([])
  const arns = r.tasks!.map((t) => t.taskArn!)
  return eventually(async () => {
    const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))
    return d.tasks!.every((t) => t.lastStatus === 'RUNNING') ? d.tasks! : undefined
  }, `${family} tasks RUNNING`)
}

const taskId = (t: Task) => t.taskArn!.split('/').pop()!
const forwardedPods = (port: number) => k.kube.hostPorts!.forwarded().find((f) => f.hostPort === port)?.pods ?? []

beforeAll(async () => {
  k = await startClusterInstance({ hostPorts: { onUnavailable: (p) => problems.push(p) } })
  await k.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
})
afterAll(async () => k?.stopAll())

describe('host ports', () => {
  it("a running task's hostPort answers on 127.0.0.1; stopping the task closes it", async () => {
    const port = await freePort()
    await webTaskDefinition('web-one', port)
    const [task] = await run('web-one')
    expect(task!.containers![0]!.networkBindings).toEqual([{ bindIP: '0.0.0.0', containerPort: 80, hostPort: port, protocol: 'tcp' }])
    await eventually(() => forwardedPods(port).length === 1, 'port forwarded')

    const res = await fetch(`http://127.0.0.1:${port}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`kecs emulated container web (pod ${taskId(task!)}) port 80: GET /\n`)
    const again = await get(port, '/health?x=1')
    expect(again).toMatchObject({ status: 200, pod: taskId(task!) })
    expect(again.body).toContain('GET /health?x=1')
    const upload = await get(port, '/upload', Buffer.alloc(4 * 1024 * 1024, 'x'))
    expect(upload).toMatchObject({ status: 200, body: `kecs emulated container web (pod ${taskId(task!)}) port 80: POST /upload\n` })

    await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task!.taskArn! }))
    await eventually(() => refused(port), 'host port closed')
    expect(k.kube.hostPorts!.forwarded().some((f) => f.hostPort === port)).toBe(false)
  })

  it("a group's tasks share the port round-robin; another group asking for it is reported, not served", async () => {
    const port = await freePort()
    await webTaskDefinition('web-pair', port)
    const pair = await run('web-pair', { count: 2 })
    const ids = pair.map(taskId).sort()
    await eventually(() => forwardedPods(port).length === 2, 'both tasks behind the port')

    const seen: string[] = []
    for (let i = 0; i < 4; i++) {
      const r = await get(port)
      expect(r.status).toBe(200)
      seen.push(r.pod!)
    }
    expect([...new Set(seen)].sort()).toEqual(ids)
    expect(seen[0]).not.toBe(seen[1])
    expect(seen[2]).toBe(seen[0])
    expect(seen[3]).toBe(seen[1])

    const [other] = await run('web-pair', { group: 'other' })
    const p = await eventually(() => problems.find((x) => x.pod === taskId(other!)), 'conflict reported')
    expect(p).toMatchObject({ hostPort: port, host: '127.0.0.1', clusterName: CLUSTER, group: 'other', namespace: `kecs-${CLUSTER}` })
    expect(p.message).toContain(`host port ${port} is already forwarded to task group family:web-pair (cluster ${CLUSTER})`)
    for (let i = 0; i < 3; i++) expect(ids).toContain((await get(port)).pod)

    // When the holder's tasks stop, the waiting group gets the port.
    for (const t of pair) await k.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: t.taskArn! }))
    await eventually(() => forwardedPods(port).length === 1 && forwardedPods(port)[0]!.endsWith(taskId(other!)), 'port handed over')
    expect((await get(port)).pod).toBe(taskId(other!))
  })

  it('a port taken on the host is reported and the task still runs; a later task gets it once free', async () => {
    const port = await freePort()
    const squatter: Server = createServer((s) => s.end('squatter\n'))
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()))
    try {
      await webTaskDefinition('web-taken', port)
      const [first] = await run('web-taken')
      const p = await eventually(() => problems.find((x) => x.pod === taskId(first!)), 'taken port reported')
      expect(p.message).toBe(`host port 127.0.0.1:${port} is already in use on the host; task ${taskId(first!)} of task group family:web-taken (cluster ${CLUSTER}) is not reachable on it`)
      const d = await k.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [first!.taskArn!] }))
      expect(d.tasks![0]!.lastStatus).toBe('RUNNING')
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()))
    }
    const [second] = await run('web-taken')
    await eventually(() => forwardedPods(port).length === 2, 'listening once the port is free')
    const pods = new Set([(await get(port)).pod, (await get(port)).pod])
    expect(pods.has(taskId(second!))).toBe(true)
  })
})
