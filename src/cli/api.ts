import { ECSClient } from '@aws-sdk/client-ecs'
import { CliError } from '../lib/errors.js'
import { CLIENT_KEY_HEADER } from '../server/auth.js'
import { instanceDir, instanceState, kecsHome, nameSuffix } from './registry.js'

/**
 * The CLI's way into a running instance: the ECS API through @aws-sdk/client-ecs (dummy credentials,
 * the instance's region) and the endpoint for `/ws` and `/kecs/v1/logs`. The CLI never opens the store.
 */
export interface Api {
  ecs: ECSClient
  /** The ECS endpoint, e.g. http://127.0.0.1:8080. */
  endpoint: string
  region: string
  /** With --auth sigv4: the instance's client key, for the CLI's own calls (`/kecs/v1/logs`). */
  clientKey?: string
  /** For streamEvents: the instance's endpoint, read again from instance.json before each reconnect. */
  feedEndpoint: string | (() => string)
  close(): void
}

export interface ApiTarget {
  /** Instance name, resolved through the registry (ignored with `endpoint`). */
  name: string
  /** An explicit ECS endpoint instead of the registry. */
  endpoint?: string
  home?: string
}

/**
 * The SDK warns once per process that newer releases will need Node 22 (NodeVersionSupportWarning via
 * process.emitWarning): that line would land in every command's output, so turn it off with the
 * variable @aws-sdk/core checks before warning.
 */
function silenceSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
}

/**
 * `clientKey`: an instance started with --auth sigv4 lets the CLI in with its client key (read from
 * instance.json) instead of a signature, so the CLI needs none of the user's AWS credentials.
 */
export function ecsClient(endpoint: string, region: string, clientKey?: string): ECSClient {
  silenceSdkNodeWarning()
  const client = new ECSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // A local instance either answers or is not there: fail fast instead of backing off.
    maxAttempts: 2,
  })
  if (clientKey) {
    client.middlewareStack.add(
      (next) => (args) => {
        const req = args.request as { headers?: Record<string, string> }
        if (req.headers) req.headers[CLIENT_KEY_HEADER] = clientKey
        return next(args)
      },
      { step: 'build', name: 'kecsClientKey' },
    )
  }
  return client
}

export function connect(t: ApiTarget): Api {
  let endpoint: string
  let region: string
  let feedEndpoint: Api['feedEndpoint']
  let clientKey: string | undefined
  if (t.endpoint) {
    endpoint = t.endpoint.replace(/\/+$/, '')
    region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1'
    feedEndpoint = endpoint
  } else {
    const dir = instanceDir(t.name, t.home ?? kecsHome())
    const st = instanceState(dir)
    if (st.state !== 'running') throw notRunning(t.name)
    endpoint = st.record.endpoint
    region = st.record.region
    clientKey = st.record.clientKey
    feedEndpoint = () => {
      const again = instanceState(dir)
      if (again.state !== 'running') throw new Error(`KECS "${t.name}" is not running`)
      return again.record.endpoint
    }
  }
  const ecs = ecsClient(endpoint, region, clientKey)
  return { ecs, endpoint, region, ...(clientKey ? { clientKey } : {}), feedEndpoint, close: () => ecs.destroy() }
}

export const notRunning = (name: string) =>
  new CliError(`KECS "${name}" is not running`, `Start it with: kecs start -d${nameSuffix(name)}`)

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'UND_ERR_SOCKET'])

/** True when the error says nothing listens at the endpoint (or the connection broke). */
export function isConnectError(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string }; name?: string }
  return CONNECT_ERRORS.has(err?.code ?? '') || CONNECT_ERRORS.has(err?.cause?.code ?? '') || err?.name === 'TimeoutError'
}

/** An ECS error the SDK raised, by its `__type` name. */
export function ecsErrorName(e: unknown): string | undefined {
  const err = e as { name?: string; $metadata?: unknown }
  return err && typeof err === 'object' && err.$metadata !== undefined ? err.name : undefined
}

/** The operation has no handler in this KECS version (the dispatcher's answer for an unimplemented operation). */
export function isUnsupported(e: unknown): boolean {
  const name = ecsErrorName(e)
  const msg = (e as Error)?.message ?? ''
  return name === 'UnsupportedFeatureException' && /is not supported by KECS yet/.test(msg)
}

/** Turns what the SDK or fetch threw into the CLI's one line + hint. */
export function apiError(e: unknown, api: Pick<Api, 'endpoint'>): unknown {
  if (e instanceof CliError) return e
  if (isConnectError(e)) {
    return new CliError(`cannot reach KECS at ${api.endpoint}`, 'Is it running? Check with: kecs status')
  }
  const name = ecsErrorName(e)
  if (name === 'ClusterNotFoundException') {
    return new CliError(`cluster not found: ${(e as Error).message}`, 'List clusters with: kecs clusters')
  }
  if (name) return new CliError(`${name}: ${(e as Error).message}`)
  return e
}

/** Connects, runs `fn`, turns its errors into CliErrors and always releases the client. */
export async function withApi<T>(t: ApiTarget, fn: (api: Api) => Promise<T>): Promise<T> {
  const api = connect(t)
  try {
    return await fn(api)
  } catch (e) {
    throw apiError(e, api)
  } finally {
    api.close()
  }
}
