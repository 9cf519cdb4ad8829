import type { HealthCheck } from '@aws-sdk/client-ecs'
import type { V1Probe } from '@kubernetes/client-node'
import type { Wire } from '../../ecs/types.js'
import { containerField, type Findings } from './unsupported.js'

/**
 * healthCheck → probes: readiness for the container's health, liveness for essential containers of
 * services, startup for dependsOn HEALTHY targets. docs/ecs-on-kubernetes.md#health-checks-and-probes
 */
export interface HealthSpec {
  command: string[]
  periodSeconds: number
  timeoutSeconds: number
  failureThreshold: number
  startPeriod: number
}

/** The health check as a probe spec; undefined for none / NONE / an unusable command (reported). */
export function healthSpec(name: string, hc: Wire<HealthCheck> | undefined, findings: Findings): HealthSpec | undefined {
  if (!hc?.command?.length) return undefined
  const [kind, ...rest] = hc.command
  let command: string[]
  if (kind === 'CMD') command = rest
  else if (kind === 'CMD-SHELL') command = ['sh', '-c', rest.join(' ')]
  else if (kind === 'NONE') return undefined
  else {
    findings.ignore(
      containerField(name, 'healthCheck.command'),
      "the command must start with 'CMD' or 'CMD-SHELL'; no health check is run",
    )
    return undefined
  }
  if (command.length === 0 || command.every((a) => a === '')) {
    findings.ignore(containerField(name, 'healthCheck.command'), 'the command is empty; no health check is run')
    return undefined
  }
  return {
    command,
    periodSeconds: hc.interval ?? 30,
    timeoutSeconds: hc.timeout ?? 5,
    failureThreshold: hc.retries ?? 3,
    startPeriod: hc.startPeriod ?? 0,
  }
}

const exec = (h: HealthSpec) => ({ exec: { command: h.command } })

export function readinessProbe(h: HealthSpec): V1Probe {
  return {
    ...exec(h),
    periodSeconds: h.periodSeconds,
    timeoutSeconds: h.timeoutSeconds,
    failureThreshold: h.failureThreshold,
    successThreshold: 1,
  }
}

export function livenessProbe(h: HealthSpec): V1Probe {
  const p: V1Probe = {
    ...exec(h),
    periodSeconds: h.periodSeconds,
    timeoutSeconds: h.timeoutSeconds,
    failureThreshold: h.failureThreshold,
    successThreshold: 1,
  }
  if (h.startPeriod > 0) p.initialDelaySeconds = h.startPeriod
  return p
}

export function startupProbe(h: HealthSpec): V1Probe {
  return {
    ...exec(h),
    periodSeconds: h.periodSeconds,
    timeoutSeconds: h.timeoutSeconds,
    failureThreshold: Math.ceil(h.startPeriod / h.periodSeconds) + h.failureThreshold,
    successThreshold: 1,
  }
}
