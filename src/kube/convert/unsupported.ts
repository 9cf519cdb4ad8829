import { clientException, type EcsError } from '../../ecs/errors.js'

/**
 * What the converters could not map. ECS accepted the setting, KECS runs the task without it (or
 * with an approximation) and the caller tells the user (e.g. in `kecs run` output or a service event).
 * Nothing is dropped silently: a setting either lands on the Kubernetes object, in an annotation, in
 * this list, or makes the converter throw (see `refuse`). docs/limits-converter.md lists them all.
 */
export interface Ignored {
  /** Path of the setting in ECS terms, e.g. `containerDefinitions[app].ulimits`. */
  field: string
  reason: string
}

/** Collects ignored settings during one conversion, without duplicates. */
export class Findings {
  readonly ignored: Ignored[] = []

  ignore(field: string, reason: string): void {
    if (!this.ignored.some((i) => i.field === field && i.reason === reason)) this.ignored.push({ field, reason })
  }
}

/** A setting that makes the task impossible to run on Kubernetes: the request fails with ClientException. */
export function refuse(field: string, reason: string): EcsError {
  return clientException(`KECS cannot run a task with '${field}': ${reason}`)
}

/** Field path of a container setting. */
export const containerField = (container: string, field?: string) =>
  field ? `containerDefinitions[${container}].${field}` : `containerDefinitions[${container}]`
