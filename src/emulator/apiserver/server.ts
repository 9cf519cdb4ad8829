import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { systemClock, type Clock } from '../../lib/timers.js'
import { PortInUseError } from '../../lib/listen.js'
import { hostName, HostAllowList, isWildcardAddress, originName } from '../../lib/local-hosts.js'
import { applyPatch, patchTypeOf } from '../patch.js'
import { groupVersion, qualifiedResource } from '../store/resource-types.js'
import { strategyFor } from '../store/strategies/index.js'
import { unknownFields } from '../store/validation/unknown-fields.js'
import { KubeStatusError, type KubeObject, type LogSource, type ObjectStore, type ResourceType } from '../types.js'
import { apiGroup, apiGroupList, apiResourceList, apiVersions, KUBE_VERSION, openApiGroupVersion, openApiRoot } from './discovery.js'
import { serveLogs } from './logs.js'
import { decodeProtobufObject } from './protobuf.js'
import { execUpgrades } from './exec.js'
import { portForwardUpgrades, reject as rejectUpgrade } from './portforward.js'
import {
  boolParam,
  deleteOptions,
  dryRun,
  intParam,
  parseJson,
  parseObject,
  readBody,
  responseShape,
  sendJson,
  setStatus,
  strParam,
  toScale,
} from './request.js'
import { parseRoute, type Route } from './routes.js'
import { failure, statusFromError, success } from './status.js'
import { toTable, type IncludeObject } from './tables.js'
import { serveWatch } from './watch.js'

export interface ApiServerOptions {
  objects: ObjectStore
  logs: LogSource
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  clock?: Clock
  /** Called when each response is finished (streams: when they end), e.g. for request logs and metrics. */
  onRequest?: (info: { method: string; url: string; status: number; ms: number }) => void
}

export interface ApiServer {
  url: string
  host: string
  port: number
  server: Server
  close(): Promise<void>
}

const RETURNS_DELETED_OBJECT = new Set(['pods', 'services', 'namespaces'])
/** Kinds whose status the API server resets on create and keeps on main-resource writes (status subresource). */
const hasStatusSubresource = (t: ResourceType) => t.subresources?.includes('status') ?? false

/**
 * fieldValidation=Strict (kubectl apply and create send it): a field the API type does not declare is
 * a 400, as the API server's strict decoder answers; for a patch, one the patch brings in (`current`
 * is the object before it). Otherwise such fields are kept as sent.
 */
function checkStrictFields(q: URLSearchParams, type: ResourceType, input: KubeObject, current?: KubeObject) {
  if (q.get('fieldValidation') !== 'Strict') return
  const typed = (o: KubeObject) => unknownFields({ ...o, apiVersion: groupVersion(type), kind: type.kind })
  const before = new Set(current ? typed(current) : [])
  const unknown = typed(input).filter((f) => !before.has(f))
  if (!unknown.length) return
  throw new KubeStatusError(400, 'BadRequest', `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`, {
    name: input.metadata?.name,
    kind: type.kind,
    causes: unknown.map((field) => ({ field, message: 'field not declared in schema', reason: 'FieldValueInvalid' })),
  })
}

/** Starts the emulated Kubernetes API on host:port (plain HTTP, loopback). */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1'
  const streams = new Set<ServerResponse>()
  const api = new KubeApi(opts.objects, opts.logs, opts.clock ?? systemClock, streams)
  const refusal = localOnly(host)
  const server = createServer((req, res) => {
    const refused = refusal(req)
    if (refused) return sendJson(res, 403, failure(403, refused))
    if (opts.onRequest) {
      const started = performance.now()
      const report = () => opts.onRequest!({ method: req.method ?? 'GET', url: req.url ?? '/', status: res.statusCode, ms: performance.now() - started })
      res.once('close', report)
    }
    api.handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, statusFromError(err))
      else if (!res.writableEnded) res.end()
    })
  })
  // pods/portforward and pods/exec arrive as WebSocket upgrades, which node:http hands to 'upgrade' listeners.
  const upgrades = [portForwardUpgrades(opts.objects), execUpgrades(opts.objects)]
  server.on('upgrade', (req, socket, head) => {
    const refused = refusal(req)
    if (refused) return rejectUpgrade(socket, failure(403, refused))
    if (!upgrades.some((u) => u.handle(req, socket, head))) rejectUpgrade(socket, failure(404, 'the server could not find the requested resource'))
  })
  server.keepAliveTimeout = 30_000
  // Streams (watch, log -f) stay open indefinitely; only the request head must arrive in time.
  server.requestTimeout = 0
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(host, opts.port ?? 0) : e)
    server.once('error', onError)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  api.serverAddress = `${host}:${port}`
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const u of upgrades) u.close()
        for (const res of streams) if (!res.writableEnded) res.end()
        streams.clear()
        server.closeIdleConnections()
        // Give ended streams a moment to flush, then cut whatever is left.
        setTimeout(() => server.closeAllConnections(), 100).unref()
      }),
  }
}

/**
 * Like KECS's own API (src/server/local-only.ts), the emulated API server answers only requests meant
 * for it: a Host header naming a loopback name (or the address it listens on), and no Origin of a page
 * of another site (a browser may open a WebSocket, pods/exec included, to any address). kubectl and
 * client-node send neither a foreign Host nor an Origin. Returns why a request is refused.
 */
function localOnly(listenHost: string): (req: IncomingMessage) => string | undefined {
  const names = new HostAllowList(isWildcardAddress(listenHost) ? [] : [listenHost])
  return (req) => {
    const host = req.headers.host
    const name = host ? hostName(host) : undefined
    if (host && (name === undefined || !names.has(name))) {
      return `the Host header ${JSON.stringify(host.slice(0, 100))} is not a name of this API server (KECS emulator; loopback only)`
    }
    const origin = req.headers.origin
    const from = origin ? originName(origin) : undefined
    if (origin && (from === undefined || !names.has(from))) {
      return `requests from web pages of other sites are refused (Origin ${JSON.stringify(origin.slice(0, 100))})`
    }
    return undefined
  }
}

class KubeApi {
  serverAddress = '127.0.0.1'

  constructor(
    private readonly objects: ObjectStore,
    private readonly logs: LogSource,
    private readonly clock: Clock,
    private readonly streams: Set<ServerResponse>,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator')
    const q = url.searchParams
    const method = (req.method ?? 'GET').toUpperCase()
    let route: Route
    try {
      route = parseRoute(url.pathname, this.objects.types)
    } catch {
      route = { kind: 'unknown' }
    }
    try {
      let body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req)
      const ct = (req.headers['content-type'] ?? '').toLowerCase()
      if (ct.startsWith('application/vnd.kubernetes.protobuf') && (method === 'POST' || method === 'PUT') && body.length) {
        // kubectl create <generator> sends protobuf and never falls back to JSON: decode what it sends.
        body = Buffer.from(JSON.stringify(decodeProtobufObject(body)))
      } else if (ct.includes('protobuf') || ct.includes('cbor')) {
        throw new KubeStatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json`,
        )
      }
      if (route.kind === 'resource') return await this.resource(req, res, route, q, method, body)
      if (method !== 'GET') throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
      this.discovery(res, route)
    } catch (err) {
      if (res.headersSent) {
        if (!res.writableEnded) res.end()
        return
      }
      const status = statusFromError(err)
      if (status.code === 500 && !(err instanceof KubeStatusError)) console.error('kecs emulator: request failed', method, req.url, err)
      sendJson(res, status.code, status)
    }
  }

  private discovery(res: ServerResponse, route: Route) {
    const types = this.objects.types
    const notFound = () => sendJson(res, 404, failure(404, 'the server could not find the requested resource', {}))
    switch (route.kind) {
      case 'version':
        return sendJson(res, 200, KUBE_VERSION)
      case 'health':
        res.writeHead(200, { 'Content-Type': 'text/plain' })
        res.end('ok')
        return
      case 'api':
        return sendJson(res, 200, apiVersions(this.serverAddress))
      case 'apis':
        return sendJson(res, 200, apiGroupList(types))
      case 'group': {
        const g = apiGroup(types, route.group)
        return g ? sendJson(res, 200, g) : notFound()
      }
      case 'resources': {
        const list = apiResourceList(types, route.group, route.version)
        return list ? sendJson(res, 200, list) : notFound()
      }
      case 'openapi-v3-root':
        return sendJson(res, 200, openApiRoot(types))
      case 'openapi-v3': {
        const doc = openApiGroupVersion(types, route.group, route.version)
        return doc ? sendJson(res, 200, doc) : notFound()
      }
      default:
        return notFound()
    }
  }

  private async resource(
    req: IncomingMessage,
    res: ServerResponse,
    route: Extract<Route, { kind: 'resource' }>,
    q: URLSearchParams,
    method: string,
    body: Buffer,
  ): Promise<void> {
    const { type, namespace, name, subresource } = route
    const objects = this.objects
    if (subresource && !(type.subresources ?? []).includes(subresource)) {
      throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource')
    }
    if ((method === 'PUT' || method === 'PATCH') && subresource && subresource !== 'status' && subresource !== 'scale') {
      throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
    }
    const shape = responseShape(req.headers.accept)
    const includeObject = (strParam(q, 'includeObject') as IncludeObject | undefined) ?? 'Metadata'
    const ns = type.namespaced ? namespace : undefined

    switch (method) {
      case 'GET': {
        if (!name) {
          if (route.watchPath || boolParam(q, 'watch')) return this.watch(req, res, type, ns, q, shape.table, includeObject)
          return this.list(res, type, ns, q, shape, includeObject)
        }
        if (type.namespaced && namespace === undefined) throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource')
        if (route.watchPath) {
          q.set('fieldSelector', [q.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(','))
          return this.watch(req, res, type, ns, q, shape.table, includeObject)
        }
        const obj = this.mustGet(type, ns, name)
        if (subresource === 'log') return this.podLogs(req, res, obj, q)
        if (subresource === 'scale') return sendJson(res, 200, toScale(obj))
        return this.sendObject(res, 200, type, obj, shape, includeObject)
      }
      case 'POST': {
        if (name || (type.namespaced && namespace === undefined)) {
          throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
        }
        const input = parseObject(body)
        this.placeInNamespace(input, type, ns)
        checkStrictFields(q, type, input)
        if (hasStatusSubresource(type) && !strategyFor(type.kind).keepsStatusOnCreate) delete input.status
        const created = await objects.create(type.resource, input, { dryRun: dryRun(q) })
        return sendJson(res, 201, created)
      }
      case 'PUT': {
        if (!name) throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
        const current = this.mustGet(type, ns, name)
        if (subresource === 'scale') return sendJson(res, 200, await this.applyScale(type, current, parseObject(body), dryRun(q)))
        const input = parseObject(body)
        if (input.metadata.name && input.metadata.name !== name) {
          throw new KubeStatusError(400, 'BadRequest', `the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`)
        }
        input.metadata.name = name
        this.placeInNamespace(input, type, ns)
        checkStrictFields(q, type, input)
        const dry = dryRun(q)
        if (subresource === 'status') return sendJson(res, 200, await objects.update(type.resource, input, { subresource: 'status', dryRun: dry }))
        if (hasStatusSubresource(type)) setStatus(input, current)
        return sendJson(res, 200, await objects.update(type.resource, input, { dryRun: dry }))
      }
      case 'PATCH': {
        if (!name) throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
        return this.patch(req, res, type, ns, name, subresource, body, q)
      }
      case 'DELETE': {
        if (!name) return this.deleteCollection(res, type, ns, q, body)
        if (subresource) throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
        this.mustGet(type, ns, name)
        const fromBody = deleteOptions(body, q)
        const opts = { ...fromBody, dryRun: fromBody.dryRun || dryRun(q) }
        const result = await objects.delete(type.resource, ns, name, opts)
        const still = objects.get(type.resource, ns, name)
        if (opts.dryRun) return sendJson(res, 200, result)
        if (still && still.metadata.uid === result?.metadata.uid) return sendJson(res, 200, still)
        // Like the API server's registries: pods, services and namespaces answer the deleted object.
        if (result && RETURNS_DELETED_OBJECT.has(type.resource)) return sendJson(res, 200, result)
        return sendJson(res, 200, success({ name, group: type.group, kind: type.resource, uid: result?.metadata.uid }))
      }
      default:
        throw new KubeStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
    }
  }

  private mustGet(type: ResourceType, ns: string | undefined, name: string): KubeObject {
    const obj = this.objects.get(type.resource, ns, name)
    if (!obj) {
      throw new KubeStatusError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, { name, group: type.group, kind: type.resource })
    }
    return obj
  }

  /** Namespaced objects take the URL's namespace; a different one in the body is a 400, as in Kubernetes. */
  private placeInNamespace(input: KubeObject, type: ResourceType, ns: string | undefined) {
    if (!type.namespaced) return
    if (input.metadata.namespace && input.metadata.namespace !== ns) {
      throw new KubeStatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')
    }
    input.metadata.namespace = ns
  }

  private sendObject(
    res: ServerResponse,
    code: number,
    type: ResourceType,
    obj: KubeObject,
    shape: { table: boolean; partial: boolean },
    includeObject: IncludeObject,
  ) {
    if (shape.table) {
      return sendJson(res, code, toTable(type.kind, [obj], { now: this.clock.now(), resourceVersion: obj.metadata.resourceVersion, includeObject }))
    }
    if (shape.partial) return sendJson(res, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata })
    return sendJson(res, code, obj)
  }

  private list(
    res: ServerResponse,
    type: ResourceType,
    ns: string | undefined,
    q: URLSearchParams,
    shape: { table: boolean; partial: boolean },
    includeObject: IncludeObject,
  ) {
    const result = this.objects.list(type.resource, {
      namespace: ns,
      labelSelector: strParam(q, 'labelSelector'),
      fieldSelector: strParam(q, 'fieldSelector'),
      limit: intParam(q, 'limit'),
      continue: strParam(q, 'continue'),
    })
    if (shape.table) {
      return sendJson(
        res,
        200,
        toTable(type.kind, result.items, { now: this.clock.now(), resourceVersion: result.resourceVersion, continue: result.continue, includeObject }),
      )
    }
    const metadata: Record<string, string> = { resourceVersion: result.resourceVersion }
    if (result.continue) metadata.continue = result.continue
    if (shape.partial) {
      return sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata,
        items: result.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })),
      })
    }
    return sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata, items: result.items })
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    ns: string | undefined,
    q: URLSearchParams,
    table: boolean,
    includeObject: IncludeObject,
  ) {
    serveWatch(
      req,
      res,
      {
        objects: this.objects,
        type,
        namespace: ns,
        labelSelector: strParam(q, 'labelSelector'),
        fieldSelector: strParam(q, 'fieldSelector'),
        resourceVersion: strParam(q, 'resourceVersion'),
        timeoutSeconds: intParam(q, 'timeoutSeconds'),
        allowBookmarks: boolParam(q, 'allowWatchBookmarks'),
        sendInitialEvents: boolParam(q, 'sendInitialEvents'),
        table: table ? { includeObject } : undefined,
        now: () => this.clock.now(),
      },
      this.streams,
    )
  }

  private async podLogs(req: IncomingMessage, res: ServerResponse, pod: KubeObject, q: URLSearchParams) {
    const tailLines = intParam(q, 'tailLines')
    const sinceSeconds = intParam(q, 'sinceSeconds')
    const limitBytes = intParam(q, 'limitBytes')
    if (tailLines !== undefined && tailLines < 0) throw new KubeStatusError(422, 'Invalid', 'tailLines: Invalid value: must be greater than or equal to 0')
    if (sinceSeconds !== undefined && sinceSeconds < 1) throw new KubeStatusError(422, 'Invalid', 'sinceSeconds: Invalid value: must be greater than 0')
    await serveLogs(
      req,
      res,
      this.logs,
      {
        pod,
        container: strParam(q, 'container'),
        follow: boolParam(q, 'follow'),
        tailLines,
        sinceSeconds,
        timestamps: boolParam(q, 'timestamps'),
        previous: boolParam(q, 'previous'),
        limitBytes,
      },
      this.streams,
    )
  }

  private async patch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    ns: string | undefined,
    name: string,
    subresource: string | undefined,
    body: Buffer,
    q: URLSearchParams,
  ) {
    const ptype = patchTypeOf(req.headers['content-type'])
    if (!ptype) {
      throw new KubeStatusError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      )
    }
    let patch: unknown
    try {
      patch = parseJson(body, ptype === 'json' ? 'array' : 'object')
    } catch (e) {
      if (ptype === 'apply') {
        throw new KubeStatusError(415, 'UnsupportedMediaType', 'the KECS emulator accepts server-side apply patches in JSON only (JSON is valid YAML)')
      }
      throw e
    }
    const dry = dryRun(q)
    const current = this.objects.get(type.resource, ns, name)
    if (!current) {
      if (ptype === 'apply' && !subresource) {
        // Server-side apply creates what is missing.
        const input = structuredClone(patch) as KubeObject
        input.metadata ??= {}
        input.metadata.name ??= name
        this.placeInNamespace(input, type, ns)
        checkStrictFields(q, type, input)
        if (hasStatusSubresource(type) && !strategyFor(type.kind).keepsStatusOnCreate) delete input.status
        return sendJson(res, 201, await this.objects.create(type.resource, input, { dryRun: dry }))
      }
      this.mustGet(type, ns, name)
      return
    }
    if (subresource === 'scale') {
      const scale = applyPatch(ptype, toScale(current), patch)
      return sendJson(res, 200, await this.applyScale(type, current, scale, dry))
    }
    const patched = applyPatch(ptype, structuredClone(current), patch, type.kind)
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) {
      throw new KubeStatusError(422, 'Invalid', `${type.kind} "${name}" is invalid: the patch result is not an object`)
    }
    patched.metadata ??= {}
    if (patched.metadata.name !== name || (type.namespaced && patched.metadata.namespace !== ns)) {
      throw new KubeStatusError(422, 'Invalid', `${type.kind} "${name}" is invalid: metadata.name: Invalid value: "${patched.metadata.name}": field is immutable`, {
        name,
        kind: type.kind,
        causes: [{ field: 'metadata.name', message: 'field is immutable', reason: 'FieldValueInvalid' }],
      })
    }
    checkStrictFields(q, type, patched, current)
    if (subresource === 'status') {
      return sendJson(res, 200, await this.objects.update(type.resource, patched, { subresource: 'status', dryRun: dry }))
    }
    if (hasStatusSubresource(type)) setStatus(patched, current)
    return sendJson(res, 200, await this.objects.update(type.resource, patched, { dryRun: dry }))
  }

  private async applyScale(type: ResourceType, current: KubeObject, scale: any, dry: boolean) {
    const replicas = scale?.spec?.replicas
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new KubeStatusError(
        422,
        'Invalid',
        `Scale.autoscaling "${current.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        { name: current.metadata.name, group: 'autoscaling', kind: 'Scale', causes: [{ field: 'spec.replicas', message: 'must be greater than or equal to 0', reason: 'FieldValueInvalid' }] },
      )
    }
    const obj = structuredClone(current) as KubeObject
    obj.spec = { ...(obj.spec ?? {}), replicas }
    if (scale?.metadata?.resourceVersion) obj.metadata.resourceVersion = scale.metadata.resourceVersion
    if (scale?.metadata?.uid) obj.metadata.uid = scale.metadata.uid
    return toScale(await this.objects.update(type.resource, obj, { dryRun: dry }))
  }

  private async deleteCollection(res: ServerResponse, type: ResourceType, ns: string | undefined, q: URLSearchParams, body: Buffer) {
    if (type.resource === 'namespaces') {
      throw new KubeStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
    }
    if (type.namespaced && ns === undefined) {
      throw new KubeStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
    }
    const fromBody = deleteOptions(body, q)
    const opts = { ...fromBody, dryRun: fromBody.dryRun || dryRun(q) }
    const items = this.objects.list(type.resource, {
      namespace: ns,
      labelSelector: strParam(q, 'labelSelector'),
      fieldSelector: strParam(q, 'fieldSelector'),
    }).items
    await Promise.all(
      items.map((o) =>
        this.objects.delete(type.resource, o.metadata.namespace, o.metadata.name!, opts).catch((e) => {
          if (!(e instanceof KubeStatusError && e.code === 404)) throw e
        }),
      ),
    )
    return sendJson(res, 200, success())
  }
}
