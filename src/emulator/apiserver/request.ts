import type { IncomingMessage, ServerResponse } from 'node:http'
import { labelSelectorToString } from '../selectors.js'
import { KubeStatusError, type DeleteOptions, type KubeObject } from '../types.js'
import { wantsTable } from './tables.js'

/** Request parsing and response helpers of the emulated API server. */
const MAX_BODY = 16 * 1024 * 1024

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json') {
  const text = JSON.stringify(body)
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  })
  res.end(text)
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new KubeStatusError(400, 'BadRequest', 'the request body is too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export function parseJson(body: Buffer, what = 'object'): any {
  const text = body.toString('utf8').trim()
  if (!text) throw new KubeStatusError(400, 'BadRequest', `the request body is empty: expected a JSON ${what}`)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new KubeStatusError(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`)
  }
}

export function parseObject(body: Buffer): KubeObject {
  const o = parseJson(body)
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new KubeStatusError(400, 'BadRequest', 'the body of the request must be a JSON object')
  o.metadata ??= {}
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) throw new KubeStatusError(400, 'BadRequest', 'metadata must be an object')
  return o
}

export const intParam = (q: URLSearchParams, name: string): number | undefined => {
  const v = q.get(name)
  if (v === null || v === '') return undefined
  const n = Number(v)
  if (!Number.isInteger(n)) throw new KubeStatusError(400, 'BadRequest', `invalid value for ${name}: ${v}`)
  return n
}
export const boolParam = (q: URLSearchParams, name: string) => ['true', '1'].includes((q.get(name) ?? '').toLowerCase())
export const strParam = (q: URLSearchParams, name: string) => q.get(name) || undefined

/** What the Accept header asks for: a Table, metadata only, or the objects. */
export function responseShape(accept: string | undefined): { table: boolean; partial: boolean } {
  const a = accept ?? ''
  return { table: wantsTable(a), partial: !wantsTable(a) && /as=PartialObjectMetadata(List)?/.test(a) && /g=meta\.k8s\.io/.test(a) }
}

/** Server-side dry run (`dryRun=All`, kubectl diff and --dry-run=server): everything but the write. */
export function dryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun')
  for (const v of values) {
    if (v !== 'All') throw new KubeStatusError(400, 'BadRequest', `dryRun: Unsupported value: "${v}": supported values: "All"`)
  }
  return values.length > 0
}

/** Main-resource writes keep the stored status (the status subresource owns it). */
export function setStatus(target: KubeObject, current: KubeObject) {
  if (current.status === undefined) delete target.status
  else target.status = structuredClone(current.status)
}

const POLICIES = ['Foreground', 'Background', 'Orphan']

/** DeleteOptions from the body (kubectl) or the query string (client-node). */
export function deleteOptions(body: Buffer, q: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = {}
  const text = body.toString('utf8').trim()
  if (text) {
    let b: any
    try {
      b = JSON.parse(text)
    } catch {
      throw new KubeStatusError(400, 'BadRequest', 'the body of the request was in an unknown format: expected DeleteOptions JSON')
    }
    if (b && typeof b === 'object') {
      if (typeof b.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = b.gracePeriodSeconds
      if (b.propagationPolicy) opts.propagationPolicy = b.propagationPolicy
      if (b.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan'
      if (b.preconditions && typeof b.preconditions === 'object') opts.preconditions = b.preconditions
      // kubectl delete --dry-run=server puts dryRun in the body.
      if (Array.isArray(b.dryRun) && b.dryRun.length) {
        if (b.dryRun.some((v: unknown) => v !== 'All')) throw new KubeStatusError(400, 'BadRequest', 'dryRun: Unsupported value: supported values: "All"')
        opts.dryRun = true
      }
    }
  }
  const grace = intParam(q, 'gracePeriodSeconds')
  if (grace !== undefined) opts.gracePeriodSeconds = grace
  const policy = strParam(q, 'propagationPolicy')
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy']
  if (boolParam(q, 'orphanDependents') && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan'
  if (opts.propagationPolicy && !POLICIES.includes(opts.propagationPolicy)) {
    throw new KubeStatusError(400, 'BadRequest', `propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`)
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0
  return opts
}

/** The autoscaling/v1 Scale view of a Deployment or ReplicaSet (docs/architecture.md#what-kubectl-and-client-node-need). */
export function toScale(obj: KubeObject) {
  const m = obj.metadata
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: labelSelectorToString(obj.spec?.selector) },
  }
}
