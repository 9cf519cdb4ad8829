import { Agent, request } from 'node:http'

/**
 * The bench's load generator: raw AWS JSON 1.1 over node:http with a keep-alive agent. It costs
 * less CPU per call than the SDK (no signing, no middleware stack), so the figures measure the
 * server more than the client; it runs in the same process as the in-process KECS instance.
 */
export const CLIENT_DESCRIPTION = 'raw AWS JSON 1.1 over node:http (keep-alive agent, no SDK, no retries)'

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113'
/** A syntactically valid SigV4 header: moto routes requests to ECS by its credential scope; KECS reads the region from it. */
const authorization = (region: string, service = 'ecs') =>
  `AWS4-HMAC-SHA256 Credential=bench/20240101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-target, Signature=0`

/** CloudWatch Logs on the same endpoint (KECS serves it beside ECS; moto routes it by credential scope). */
export const LOGS = { targetPrefix: 'Logs_20140328', service: 'logs' } as const

/** An ECS error answer (or a transport failure: type `NetworkError` / `Timeout`). */
export class CallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(`${type}: ${message}`)
  }
}

/** `Prefix#Type:extra` (the shapes AWS and emulators use in __type / X-Amzn-ErrorType) -> `Type`. */
export function errorTypeName(raw: string): string {
  const afterHash = raw.slice(raw.lastIndexOf('#') + 1)
  const colon = afterHash.indexOf(':')
  return colon >= 0 ? afterHash.slice(0, colon) : afterHash
}

export type EcsCall = <T = any>(operation: string, body?: object) => Promise<T>

export interface RawClient {
  call: EcsCall
  close(): void
}

export interface RawClientOptions {
  region?: string
  /** Sockets per endpoint; at least the highest concurrency a suite uses. */
  maxSockets?: number
  /** Per-call timeout, so a stuck server cannot hang the bench. */
  timeoutMs?: number
  /** X-Amz-Target prefix and SigV4 service of another JSON 1.1 service (default ECS). */
  targetPrefix?: string
  service?: string
}

export function createRawClient(endpoint: string, opts: RawClientOptions = {}): RawClient {
  const url = new URL(endpoint)
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 })
  const auth = authorization(opts.region ?? 'us-east-1', opts.service)
  const prefix = opts.targetPrefix ?? TARGET_PREFIX
  const timeoutMs = opts.timeoutMs ?? 30_000

  const call: EcsCall = (operation, body = {}) =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body))
      const req = request(
        {
          agent,
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: '/',
          method: 'POST',
          headers: {
            'Content-Type': 'application/x-amz-json-1.1',
            'X-Amz-Target': `${prefix}.${operation}`,
            Authorization: auth,
            'Content-Length': payload.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => reject(new CallError('NetworkError', e.message, 0)))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            const status = res.statusCode ?? 0
            let parsed: any
            try {
              parsed = text === '' ? {} : JSON.parse(text)
            } catch {
              parsed = undefined
            }
            if (status === 200 && parsed !== undefined) return resolve(parsed)
            const header = res.headers['x-amzn-errortype']
            const rawType = (typeof header === 'string' && header) || parsed?.__type || `HTTP${status}`
            const message = parsed?.message ?? parsed?.Message ?? text.slice(0, 200)
            reject(new CallError(errorTypeName(String(rawType)), String(message), status))
          })
        },
      )
      req.setTimeout(timeoutMs, () => req.destroy(new CallError('Timeout', `no answer within ${timeoutMs} ms`, 0)))
      req.on('error', (e) => reject(e instanceof CallError ? e : new CallError('NetworkError', e.message, 0)))
      req.end(payload)
    })

  return { call, close: () => agent.destroy() }
}

/**
 * One EC2 Query API call (form-encoded POST, XML answer), for the few set-up calls the bench makes to
 * moto's EC2 (its default VPC's subnets and security group). Resolves with the XML text.
 */
export function ec2Query(endpoint: string, params: Record<string, string>, region = 'us-east-1'): Promise<string> {
  const url = new URL(endpoint)
  const payload = Buffer.from(new URLSearchParams({ Version: '2016-11-15', ...params }).toString())
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        path: '/',
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
          Authorization: authorization(region, 'ec2'),
          'Content-Length': payload.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          if (res.statusCode === 200) resolve(text)
          else reject(new CallError(/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP${res.statusCode}`, text.slice(0, 200), res.statusCode ?? 0))
        })
      },
    )
    req.setTimeout(30_000, () => req.destroy(new CallError('Timeout', 'no answer within 30000 ms', 0)))
    req.on('error', (e) => reject(e instanceof CallError ? e : new CallError('NetworkError', e.message, 0)))
    req.end(payload)
  })
}
