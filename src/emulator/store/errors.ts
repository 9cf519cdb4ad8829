import { KubeStatusError, type KubeObject, type ResourceType } from '../types.js'
import { qualifiedResource } from './resource-types.js'

/** The API server's Status errors for the store's generic checks. */
export function notFound(t: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, { name, group: t.group, kind: t.resource })
}

export function notServed(resource: string): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', `the server could not find the requested resource (${resource})`)
}

export function alreadyExists(t: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(409, 'AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, { name, group: t.group, kind: t.resource })
}

/** 409 Conflict when a write's (or a delete's, `prefix`) uid or resourceVersion precondition fails. */
export function checkPreconditions(t: ResourceType, old: KubeObject, uid: string | undefined, rv: string | undefined, prefix?: string) {
  const name = old.metadata.name!
  const details = { name, group: t.group, kind: t.resource }
  if (uid && uid !== old.metadata.uid) {
    const msg = `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`
    throw new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${msg}`, details)
  }
  if (rv && rv !== old.metadata.resourceVersion) {
    const msg = prefix
      ? `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`
      : 'the object has been modified; please apply your changes to the latest version and try again'
    throw new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${msg}`, details)
  }
}
