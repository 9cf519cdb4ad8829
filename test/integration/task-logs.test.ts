import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rfc3339Nano } from '../../src/ecs/metadata/format.js'
import { publishTaskChange } from '../../src/ecs/tasks/events.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import { taskKey } from '../../src/ecs/tasks/task-keys.js'
import { PodLogError, type PodLogRequest, type PodLogSource } from '../../src/ecs/tasks/log-source.js'
import { KEPT_LINES } from '../../src/ecs/tasks/task-logs.js'
import { startTestInstance, type TestInstance } from '../helpers/instance.js'

/**
 * Container logs through `GET /kecs/v1/logs`: live from the pod while it exists, the kept tail (last
 * 1,000 lines, captured from the moment the stop begins) once the pod is gone, durable across a
 * restart and forgotten with the task. The cluster is a scripted log source with the API server's
 * behaviour (404 pod gone, 400 container not started, follow until the container ends).
 */
const ACCOUNT = '000000000000'
const REGION = 'us-east-1'
const A = `arn:aws:ecs:${REGION}:${ACCOUNT}`
const T0 = Date.UTC(2024, 0, 1)

interface FakeContainer {
  lines: { ts: number; text: string }[]
  started: boolean
  ended: boolean
  waiters: Set<() => void>
}

/** Pods' logs as the API server serves them, scripted by the test. */
class FakeLogs implements PodLogSource {
  readonly pods = new Map<string, Map<string, FakeContainer>>()
  opened: PodLogRequest[] = []
  private clock = 0

  addPod(pod: string, containers: string[], started = true) {
    this.pods.set(pod, new Map(containers.map((n) => [n, { lines: [], started, ended: false, waiters: new Set() }])))
  }
  c(pod: string, container: string) {
    return this.pods.get(pod)!.get(container)!
  }
  write(pod: string, container: string, ...texts: string[]) {
    const c = this.c(pod, container)
    for (const text of texts) c.lines.push({ ts: T0 + 1000 * this.clock++, text })
    this.wake(c)
  }
  start(pod: string, container: string) {
    this.c(pod, container).started = true
  }
  end(pod: string, container: string) {
    const c = this.c(pod, container)
    c.ended = true
    this.wake(c)
  }
  remove(pod: string) {
    for (const c of this.pods.get(pod)?.values() ?? []) {
      c.ended = true
      this.wake(c)
    }
    this.pods.delete(pod)
  }
  private wake(c: FakeContainer) {
    for (const w of [...c.waiters]) w()
    c.waiters.clear()
  }

  async open(req: PodLogRequest, signal?: AbortSignal): Promise<AsyncIterable<string>> {
    const pod = this.pods.get(req.pod)
    if (!pod) throw new PodLogError(404, `pods "${req.pod}" not found`, 'NotFound')
    const c = pod.get(req.container)
    if (!c) throw new PodLogError(400, `container ${req.container} is not valid for pod ${req.pod}`, 'BadRequest')
    if (!c.started) throw new PodLogError(400, `container "${req.container}" in pod "${req.pod}" is waiting to start: ContainerCreating`)
    this.opened.push(req)
    const fmt = (l: { ts: number; text: string }) => `${req.timestamps ? `${rfc3339Nano(l.ts)} ` : ''}${l.text}\n`
    async function* gen() {
      let lines = c!.lines
      if (req.sinceSeconds !== undefined) lines = lines.filter((l) => l.ts >= Date.now() - req.sinceSeconds! * 1000)
      if (req.tailLines !== undefined) lines = req.tailLines === 0 ? [] : lines.slice(-req.tailLines)
      let next = c!.lines.length
      for (const l of lines) yield fmt(l)
      if (!req.follow) return
      while (!signal?.aborted) {
        while (next < c!.lines.length) yield fmt(c!.lines[next++]!)
        if (c!.ended) return
        await new Promise<void>((r) => {
          c!.waiters.add(r)
          signal?.addEventListener('abort', () => r(), { once: true })
        })
      }
    }
    return gen()
  }
}

let dir: string
let t: TestInstance
let fake: FakeLogs
let stopLogs: () => Promise<void>
const TASK = '11111111111111111111111111111111'
const scope = { account: ACCOUNT, region: REGION }

function taskDoc(id: string, containers: string[]): TaskDoc {
  const arn = `${A}:task/default/${id}`
  return {
    clusterArn: `${A}:cluster/default`,
    containers: containers.map((name) => ({ containerArn: `${A}:container/default/${id}/${name}`, taskArn: arn, name, lastStatus: 'RUNNING' })),
    createdAt: 1_700_000_000,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    launchType: 'EC2',
    taskArn: arn,
    taskDefinitionArn: `${A}:task-definition/web:1`,
    version: 1,
    kecs: { clusterName: 'default', taskId: id, namespace: 'kecs-default', podName: id, essential: [containers[0]!], stopTimeoutSeconds: 5 },
  }
}

const putTask = (doc: TaskDoc) => t.instance.repos.tasks.put(taskKey(scope, 'default', doc.kecs.taskId), doc)
const getTask = (id: string) => t.instance.repos.tasks.get(taskKey(scope, 'default', id)) as TaskDoc

async function logs(query: string) {
  const res = await fetch(`${t.endpoint}/kecs/v1/logs?${query}`)
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kecs-task-logs-'))
  t = await startTestInstance({ dir })
  fake = new FakeLogs()
  stopLogs = t.instance.logs.start(fake)
  await putTask(taskDoc(TASK, ['app', 'side']))
  fake.addPod(TASK, ['app', 'side'])
  fake.write(TASK, 'app', ...Array.from({ length: 1500 }, (_, i) => `line ${i + 1}`))
  fake.write(TASK, 'side', 'side says hi')
})
afterAll(async () => {
  await stopLogs?.()
  await t?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('GET /kecs/v1/logs', () => {
  it('reads the live log while the pod exists (tail, timestamps, task ARN)', async () => {
    const r = await logs(`task=${TASK}&container=app&tail=2`)
    expect(r.status).toBe(200)
    expect(r.type).toMatch(/^text\/plain/)
    expect(r.text).toBe('line 1499\nline 1500\n')
    const ts = await logs(`task=${encodeURIComponent(`${A}:task/default/${TASK}`)}&container=side&timestamps=1`)
    expect(ts.text).toMatch(/^2024-01-01T00:25:00Z side says hi\n$/)
  })

  it('follows a container until it stops', async () => {
    const res = await fetch(`${t.endpoint}/kecs/v1/logs?task=${TASK}&container=side&follow=true&tail=0`)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const dec = new TextDecoder()
    fake.write(TASK, 'side', 'one more')
    let got = ''
    while (!got.includes('one more')) got += dec.decode((await reader.read()).value)
    fake.end(TASK, 'side')
    for (;;) {
      const n = await reader.read()
      if (n.done) break
      got += dec.decode(n.value)
    }
    expect(got).toBe('one more\n')
    // A fresh container for the rest of the test.
    fake.c(TASK, 'side').ended = false
  })

  it('answers errors as JSON', async () => {
    expect(await logs('container=app')).toMatchObject({ status: 400 })
    const multi = await logs(`task=${TASK}`)
    expect(multi.status).toBe(400)
    expect(JSON.parse(multi.text).message).toBe(`a container name must be specified for task ${TASK}, choose one of: [app side]`)
    expect((await logs(`task=${TASK}&container=nope`)).status).toBe(400)
    expect((await logs(`task=${TASK}&container=app&since=yesterday`)).status).toBe(400)
    const unknown = await logs(`task=${'9'.repeat(32)}`)
    expect(unknown.status).toBe(404)
    expect(JSON.parse(unknown.text)).toEqual({ __type: 'ResourceNotFoundException', message: 'The referenced task was not found.' })
  })
})

describe('the tail kept when a task stops', () => {
  it('captures from the stop on, keeps the last 1,000 lines, and serves them once the pod is gone', async () => {
    const task = getTask(TASK)
    await t.instance.logs.beforePodDelete(task)
    expect(fake.opened.filter((o) => o.follow && o.tailLines === KEPT_LINES && o.timestamps).map((o) => o.container).sort()).toEqual([
      'app',
      'side',
    ])
    // What the containers print while they shut down is kept too; then the pod vanishes.
    fake.write(TASK, 'app', 'app received SIGTERM')
    fake.write(TASK, 'side', 'side bye')
    fake.remove(TASK)
    const stopped = structuredClone(task)
    Object.assign(stopped, { desiredStatus: 'STOPPED', lastStatus: 'STOPPED', stoppedAt: Math.floor(Date.now() / 1000), version: task.version + 1 })
    for (const c of stopped.containers!) c.lastStatus = 'STOPPED'
    await putTask(stopped)

    const all = (await logs(`task=${TASK}&container=app`)).text.trimEnd().split('\n')
    expect(all).toHaveLength(KEPT_LINES)
    expect(all[0]).toBe('line 502')
    expect(all.at(-1)).toBe('app received SIGTERM')
    expect((await logs(`task=${TASK}&container=app&tail=2`)).text).toBe('line 1500\napp received SIGTERM\n')
    expect((await logs(`task=${TASK}&container=side&timestamps=true`)).text).toMatch(/^\S+Z side says hi\n\S+Z one more\n\S+Z side bye\n$/)
    const since = (await logs(`task=${TASK}&container=app&since=${encodeURIComponent(rfc3339Nano(T0 + 1499 * 1000))}`)).text
    expect(since).toBe('line 1500\napp received SIGTERM\n')
    // follow on a stopped task: the kept lines, then the end.
    expect((await logs(`task=${TASK}&container=side&follow=1`)).text).toBe('side says hi\none more\nside bye\n')
  })

  it('captures when a pod is deleted behind KECS (a task change with desiredStatus STOPPED)', async () => {
    const id = '22222222222222222222222222222222'
    const doc = taskDoc(id, ['main'])
    await putTask(doc)
    fake.addPod(id, ['main'])
    fake.write(id, 'main', 'hello from main')
    const stopping = { ...structuredClone(doc), desiredStatus: 'STOPPED', version: 2 }
    await putTask(stopping)
    publishTaskChange(t.instance.deps, stopping, undefined)
    await new Promise<void>((r) => setTimeout(r, 0))
    fake.write(id, 'main', 'bye from main')
    fake.remove(id)
    await putTask({ ...stopping, lastStatus: 'STOPPED', stoppedAt: Math.floor(Date.now() / 1000), version: 3 })
    expect((await logs(`task=${id}`)).text).toBe('hello from main\nbye from main\n')
  })

  it('keeps nothing for a container that never started, and reads nothing for it', async () => {
    const id = '33333333333333333333333333333333'
    const doc = taskDoc(id, ['late'])
    await putTask(doc)
    fake.addPod(id, ['late'], false)
    expect((await logs(`task=${id}`)).text).toBe('')
    await t.instance.logs.beforePodDelete(doc)
    fake.remove(id)
    await putTask({ ...structuredClone(doc), desiredStatus: 'STOPPED', lastStatus: 'STOPPED', stoppedAt: Math.floor(Date.now() / 1000), version: 2 })
    expect(await t.instance.logs.kept(doc.taskArn, 'late')).toBeUndefined()
    expect((await logs(`task=${id}`)).status).toBe(200)
  })

  it('a follower waits (headers sent) for a container that has not started, and shutdown ends it', async () => {
    const id = '44444444444444444444444444444444'
    await putTask(taskDoc(id, ['slow']))
    fake.addPod(id, ['slow'], false)
    const res = await fetch(`${t.endpoint}/kecs/v1/logs?task=${id}&follow=1`)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    fake.start(id, 'slow')
    fake.write(id, 'slow', 'finally up')
    // The task changes (its container starts): the follower tries again and gets the line.
    const nudge = setInterval(() => publishTaskChange(t.instance.deps, getTask(id), undefined), 20)
    const first = new TextDecoder().decode((await reader.read()).value)
    clearInterval(nudge)
    expect(first).toBe('finally up\n')
    // Closing the instance ends open log streams instead of waiting for them.
    const rest = reader.read()
    await stopLogs()
    await t.stop()
    expect((await rest).done).toBe(true)
    t = await startTestInstance({ dir })
    stopLogs = t.instance.logs.start(fake)
  })

  it('kept logs survive a restart and are forgotten with their task', async () => {
    await stopLogs()
    await t.stop()
    t = await startTestInstance({ dir })
    stopLogs = t.instance.logs.start(new FakeLogs(), { sweepIntervalMs: 60_000 })
    expect((await logs(`task=${TASK}&container=app&tail=1`)).text).toBe('app received SIGTERM\n')

    await t.instance.repos.tasks.delete(taskKey(scope, 'default', TASK))
    await t.instance.logs.sweep()
    expect(await t.instance.logs.kept(`${A}:task/default/${TASK}`, 'app')).toBeUndefined()
    const rows = await t.instance.repos.store.query<{ pk: string }>('SELECT pk FROM task_logs')
    expect(rows.map((r) => r.pk).filter((pk) => pk.includes(TASK))).toEqual([])
    expect((await logs(`task=${TASK}&container=app`)).status).toBe(404)
  })
})
