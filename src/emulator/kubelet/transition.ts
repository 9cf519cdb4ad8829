import { containerEffects, podEffects, type EffectResult, type KubeletEnv, type Vars } from './effects.js'
import { containerFacts, containerSpec, podFacts, refresh, sim, type ContainerRuntime, type PodRuntime } from './runtime.js'
import { selectorMatches, TRACKS, type ContainerStage, type Lifecycle, type PodStage } from './stages.js'
import { goDuration } from './status.js'

/**
 * One step of the stage machine, without timers: which stage each track of a pod takes next,
 * and what firing a stage does (effect, step, events, log lines). The kubelet engine arms the
 * delays; the golden stage tests call these directly.
 */
export type Stage = PodStage | ContainerStage

/** The track a stage runs on: `pod`, or `<container>/<track>`. */
export interface Armed {
  key: string
  stage: Stage | undefined
  container?: ContainerRuntime
}

/** Per track, the first stage whose selector matches the pod's facts now. */
export function matchStages(lifecycle: Lifecycle, rt: PodRuntime, images: Set<string>): Armed[] {
  refresh(rt)
  const pf = podFacts(rt)
  const out: Armed[] = [{ key: 'pod', stage: lifecycle.pod.find((s) => selectorMatches(s.selector, pf)) }]
  for (const c of rt.containers) {
    const cf = containerFacts(rt, c, images)
    for (const track of TRACKS) {
      const stage = lifecycle.container.find((s) => s.track === track && selectorMatches(s.selector, cf))
      out.push({ key: `${c.name}/${track}`, stage, container: c })
    }
  }
  return out
}

/** Whether the stage still applies when its delay is over. */
export function stageApplies(rt: PodRuntime, stage: Stage, c: ContainerRuntime | undefined, images: Set<string>): boolean {
  refresh(rt)
  const facts = c ? containerFacts(rt, c, images) : podFacts(rt)
  return selectorMatches(stage.selector as Record<string, unknown>, facts as unknown as Record<string, unknown>)
}

const fill = (t: string, vars: Vars) => t.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))

function stageVars(env: KubeletEnv, rt: PodRuntime, c: ContainerRuntime | undefined): Vars {
  const spec = c ? containerSpec(rt, c) : {}
  const now = env.now()
  return {
    pod: rt.name,
    namespace: rt.namespace,
    node: rt.nodeName ?? '',
    container: c?.name ?? '',
    image: spec.image ?? '',
    pullError: c ? (sim(rt, c).imagePullError ?? c.pullError ?? '') : '',
    uptime: c?.startedAt ? goDuration(Math.floor(((now - c.startedAt) * env.speed) / 1000) * 1000 || 0) : '0s',
  }
}

function runEffect(env: KubeletEnv, rt: PodRuntime, stage: Stage, c: ContainerRuntime | undefined, vars: Vars): EffectResult {
  if ('track' in stage) return stage.next.effect && c ? containerEffects[stage.next.effect](env, rt, c, vars) : undefined
  return stage.next.effect ? podEffects[stage.next.effect](env, rt, vars) : undefined
}

/**
 * Fires a stage that applies: runs its effect, moves the container to the next step, records its
 * events and writes its log lines. Returns whether the pod's status is to be written.
 */
export function applyStage(env: KubeletEnv, rt: PodRuntime, stage: Stage, c: ContainerRuntime | undefined): boolean {
  const vars = stageVars(env, rt, c)
  const next = stage.next as ContainerStage['next']
  const effect = stage.next.effect
  let result: EffectResult
  try {
    result = runEffect(env, rt, stage, c, vars)
  } catch (err) {
    env.onError(`kubelet ${stage.name} ${rt.namespace}/${rt.name}`, err)
    result = false
  }
  if (result !== false) {
    const before = c?.step
    const step = (result && result.step) || next.step
    if (c && step) {
      c.step = step
      c.since = env.now()
    }
    for (const ev of next.events ?? []) env.event(rt, c, ev.type ?? 'Normal', ev.reason, fill(ev.message, vars), ev.component)
    if (c) {
      // Repeating stages (the heartbeat) print a line that replaces their previous one.
      const key = stage.delay === 'heartbeat' ? stage.name : undefined
      for (const line of next.log ?? []) env.logs.write(rt.uid, c.name, fill(line, vars), key)
      if ((c.step === 'exited' || c.step === 'stopped') && (before === 'running' || before === 'stopping')) env.logs.end(rt.uid, c.name)
    }
  }
  return effect !== 'remove' && !!(effect || next.step)
}
