import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { EventSpec } from '../../src/emulator/controllers/event-recorder.js'
import { nodeObject, POD_CIDR } from '../../src/emulator/controllers/node.js'
import { waitFor } from '../../src/emulator/kubelet/delays.js'
import { containerEffects, kubeletEvent, podEffects, type KubeletEnv } from '../../src/emulator/kubelet/effects.js'
import { IpAllocator } from '../../src/emulator/kubelet/ip-allocator.js'
import { observePod, refresh, runtimeFromPod, type ContainerRuntime, type PodRuntime } from '../../src/emulator/kubelet/runtime.js'
import { defaultLifecycle, defaultTimings } from '../../src/emulator/kubelet/stages.js'
import { renderPod } from '../../src/emulator/kubelet/status-writer.js'
import { applyStage, matchStages, stageApplies } from '../../src/emulator/kubelet/transition.js'
import type { KubeObject } from '../../src/emulator/types.js'
import { FakeObjectStore } from '../helpers/fake-object-store.js'
import { stageCases, TIME_KEYS, type StageCase } from './emulator-kubelet-stage-cases.js'

/**
 * Golden stage files, in the manner of kwok's: per case, the facts in (emulator-kubelet-stage-cases.ts)
 * and what one step of the stage machine makes of them — the stage each track matches, when the
 * case's stage fires, the runtime it changes, its events and log lines, and the pod the kubelet
 * then posts. test/fixtures/stages/<case>.json holds both; `UPDATE_GOLDEN=1 npx vitest run
 * test/unit/emulator-kubelet-stages` rewrites them; review the diff.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'stages')
const stages = [...defaultLifecycle.pod, ...defaultLifecycle.container]
const iso = (ms: number) => new Date(ms).toISOString()

/** Clock times in runtime fields, from the cases' ISO strings (in) and to them (out). */
function times(v: unknown, conv: (x: unknown) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => times(x, conv))
  if (!v || typeof v !== 'object') return v
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, TIME_KEYS.has(k) ? conv(x) : times(x, conv)]))
}
const toMs = (x: unknown) => (typeof x === 'string' ? Date.parse(x) : x)
const toIso = (x: unknown) => (typeof x === 'number' ? iso(x) : x)

/** The fields of a runtime (without the pod object and timers) that differ after the step. */
function changed(before: object, after: object): Record<string, unknown> {
  const skip = new Set(['pod', 'timers', 'containers'])
  const out: Record<string, unknown> = {}
  const a = before as Record<string, unknown>
  const b = after as Record<string, unknown>
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (skip.has(k) || JSON.stringify(a[k]) === JSON.stringify(b[k])) continue
    out[k] = b[k] === undefined ? null : b[k]
  }
  return out
}

const snapshot = (rt: PodRuntime) => ({ pod: structuredClone({ ...rt, pod: undefined, timers: undefined }), containers: rt.containers.map((c) => structuredClone(c)) })

async function runCase(k: StageCase) {
  let clock = Date.parse(k.now)
  const store = new FakeObjectStore({ now: () => clock })
  await store.create('nodes', nodeObject('kecs-node', clock))
  const events: EventSpec[] = []
  const logs: string[] = []
  let removed = false
  const pods: PodRuntime[] = []
  const errors: string[] = []
  const env: KubeletEnv = {
    store,
    timings: defaultTimings,
    speed: 1,
    images: new Set(k.images ?? []),
    ipam: new IpAllocator(POD_CIDR),
    logs: {
      begin: (_uid, c, index) => void logs.push(`[${c} #${index} begins]`),
      write: (_uid, c, text) => void logs.push(`${c}: ${text}`),
      end: (_uid, c) => void logs.push(`[${c} ends]`),
    },
    now: () => clock,
    pods: () => pods,
    event: (rt, c, type, reason, message, component) => void events.push(kubeletEvent(rt, c, type, reason, message, component)),
    remove: (rt) => {
      removed = true
      rt.removing = true
    },
    newContainerID: () => `containerd://${'5e'.repeat(32)}`,
    onError: (where, err) => void errors.push(`${where}: ${String(err)}`),
  }

  // the facts in: the pod as stored, then what the kubelet knows beyond its status
  const pod = structuredClone(k.pod)
  const rt = runtimeFromPod(pod, clock)
  pods.push(rt)
  if (rt.podIP) env.ipam.reserve(rt.podIP)
  observePod(rt, pod, clock, env.speed)
  Object.assign(rt, times(k.runtime?.pod ?? {}, toMs))
  for (const [name, patch] of Object.entries(k.runtime?.containers ?? {})) {
    const c = rt.containers.find((x) => x.name === name)
    if (!c) throw new Error(`${k.name}: no container ${name}`)
    Object.assign(c, times(patch, toMs))
  }

  // the stage each track matches
  const armed = matchStages(defaultLifecycle, rt, env.images)
  const matched = Object.fromEntries(armed.filter((a) => a.stage).map((a) => [a.key, a.stage!.name]))
  const stage = stages.find((s) => s.name === k.stage)!
  const key = 'track' in stage ? `${k.container}/${stage.track}` : 'pod'
  expect(matched[key], `${k.name}: the stage ${key} matches`).toBe(k.stage)
  const c: ContainerRuntime | undefined = armed.find((a) => a.key === key)!.container

  // its delay, then the step
  const wait = waitFor(stage.delay, env.timings, env.speed, clock, rt, c)
  clock += Math.max(0, wait)
  expect(stageApplies(rt, stage, c, env.images), `${k.name}: still applies when it fires`).toBe(true)
  const before = snapshot(rt)
  const imagesBefore = new Set(env.images)
  const write = applyStage(env, rt, stage, c)
  const after = snapshot(rt)
  expect(errors).toEqual([])

  const runtime: Record<string, unknown> = {}
  const podChanges = changed(before.pod, after.pod)
  if (Object.keys(podChanges).length) runtime.pod = podChanges
  rt.containers.forEach((x, i) => {
    const d = changed(before.containers[i]!, after.containers[i]!)
    if (Object.keys(d).length) runtime[x.name] = d
  })
  let next: KubeObject | undefined
  if (write || removed) {
    // the engine re-evaluates the stages (and so refreshes the runtime) before the write runs
    refresh(rt)
    next = structuredClone(pod)
    renderPod(rt, next, clock)
  }
  return {
    stage: k.stage,
    in: { now: k.now, ...(k.container ? { container: k.container } : {}), pod: k.pod, ...(k.runtime ? { runtime: k.runtime } : {}), ...(k.images ? { images: k.images } : {}) },
    out: {
      matched,
      fires: { after: Math.max(0, wait), at: iso(clock) },
      runtime: times(runtime, toIso),
      ...(env.images.size !== imagesBefore.size ? { imagesPulled: [...env.images].filter((i) => !imagesBefore.has(i)) } : {}),
      events,
      logs,
      ...(removed ? { removed } : {}),
      writesStatus: write || removed,
      ...(next ? { pod: { nodeName: next.spec?.nodeName ?? null, status: next.status } } : {}),
    },
  }
}

function expectStageGolden(name: string, value: unknown): void {
  const file = join(root, `${name}.json`)
  const actual = JSON.parse(JSON.stringify(value)) as unknown
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(root, { recursive: true })
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`)
    return
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 and review it`)
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')))
}

describe('golden stage cases', () => {
  for (const k of stageCases) {
    it(`${k.name}`, async () => {
      expectStageGolden(k.name, await runCase(k))
    })
  }
})

describe('the stage table and its cases', () => {
  it('has a case for every stage, and every case names a stage of the table', () => {
    const names = stages.map((s) => s.name)
    expect(names.filter((n) => !stageCases.some((k) => k.stage === n))).toEqual([])
    expect(stageCases.filter((k) => !names.includes(k.stage)).map((k) => k.name)).toEqual([])
    expect(new Set(stageCases.map((k) => k.name)).size).toBe(stageCases.length)
  })

  it('keeps no golden file without a case', () => {
    if (process.env.UPDATE_GOLDEN === '1') return
    const files = readdirSync(root).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length))
    expect(files.filter((f) => !stageCases.some((k) => k.name === f))).toEqual([])
  })

  it('has an effect for every effect a stage names, and no effect no stage uses', () => {
    const usedPod = new Set(defaultLifecycle.pod.map((s) => s.next.effect).filter(Boolean))
    const usedContainer = new Set(defaultLifecycle.container.map((s) => s.next.effect).filter(Boolean))
    expect(Object.keys(podEffects).sort()).toEqual([...usedPod].sort())
    expect(Object.keys(containerEffects).sort()).toEqual([...usedContainer].sort())
  })
})
