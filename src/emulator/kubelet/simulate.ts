import type { KubeObject } from '../types.js'

/**
 * Per-pod test controls, read from pod annotations (KECS writes them from ECS dockerLabels).
 * A key may be plain (`kecs.simulate.exit-code`, for every container) or per container
 * (`kecs.simulate.exit-code.web`); the per-container key wins.
 */
export const SIMULATE_PREFIX = 'kecs.simulate.'

export interface Simulation {
  /** exits with this code (right after start unless runSeconds) */
  exitCode?: number
  /** exits after this long (code 0 unless exitCode) */
  runSeconds?: number
  /** the image pull fails with this message (ErrImagePull, ImagePullBackOff) */
  imagePullError?: string
  /** its probes fail: never ready; a liveness probe failure restarts it */
  unhealthy: boolean
  /** time it takes to stop after SIGTERM; beyond the grace period it is killed (exit 137) */
  stopSeconds?: number
  /** exit code when it stops on SIGTERM (default 0) */
  stopExitCode?: number
}

function raw(pod: KubeObject, key: string, container: string): string | undefined {
  const a = pod.metadata.annotations ?? {}
  return a[`${SIMULATE_PREFIX}${key}.${container}`] ?? a[`${SIMULATE_PREFIX}${key}`]
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

const truthy = (v: string | undefined) => v !== undefined && !/^(false|0|no|off)$/i.test(v.trim())

export function simulation(pod: KubeObject, container: string, image: string): Simulation {
  const exitCode = num(raw(pod, 'exit-code', container))
  const pull = raw(pod, 'image-pull-error', container)
  return {
    exitCode: exitCode === undefined ? undefined : Math.trunc(exitCode),
    runSeconds: num(raw(pod, 'run-seconds', container)),
    imagePullError: truthy(pull)
      ? /^(true|1|yes|on|)$/i.test(pull!.trim())
        ? defaultPullError(image)
        : pull!.trim()
      : undefined,
    unhealthy: truthy(raw(pod, 'unhealthy', container)),
    stopSeconds: num(raw(pod, 'stop-seconds', container)),
    stopExitCode: num(raw(pod, 'stop-exit-code', container)),
  }
}

export function defaultPullError(image: string): string {
  const ref = normalizeImage(image)
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`
}

/** nginx → docker.io/library/nginx:latest, as containerd names images. */
export function normalizeImage(image: string): string {
  let ref = image.trim()
  const slash = ref.indexOf('/')
  const first = slash < 0 ? '' : ref.slice(0, slash)
  if (slash < 0) ref = `docker.io/library/${ref}`
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') ref = `docker.io/${ref}`
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1)
  if (!lastPart.includes(':') && !ref.includes('@')) ref += ':latest'
  return ref
}

/** The API server's default: Always for :latest or untagged images, else IfNotPresent. */
export function pullPolicy(container: { image?: string; imagePullPolicy?: string }): string {
  if (container.imagePullPolicy) return container.imagePullPolicy
  const image = container.image ?? ''
  const lastPart = image.slice(image.lastIndexOf('/') + 1)
  return image.includes('@') || (lastPart.includes(':') && !lastPart.endsWith(':latest')) ? 'IfNotPresent' : 'Always'
}
