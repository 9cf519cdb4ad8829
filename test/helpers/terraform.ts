import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { expect } from 'vitest'

/**
 * Terraform for end-to-end tests: the binary, the filesystem mirror that holds hashicorp/aws (never a
 * registry), and the provider's own TF_LOG=DEBUG log read back as the list of HTTP calls it made.
 */
export const TERRAFORM = process.env.TERRAFORM ?? 'terraform'
const PLATFORM = `${process.platform}_${({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch}`

/** hashicorp/aws versions a filesystem mirror holds for this platform (unpacked or packed layout). */
function awsVersionsIn(mirror: string): string[] {
  const dir = join(mirror, 'registry.terraform.io', 'hashicorp', 'aws')
  if (!existsSync(dir)) return []
  const found = new Set<string>()
  for (const entry of readdirSync(dir)) {
    if (existsSync(join(dir, entry, PLATFORM))) found.add(entry)
    const packed = /^terraform-provider-aws_(.+)_([a-z0-9]+_[a-z0-9]+)\.zip$/.exec(entry)
    if (packed?.[2] === PLATFORM) found.add(packed[1]!)
  }
  return [...found]
}

const byVersion = (a: string, b: string) => {
  const pa = a.split(/[.-]/).map(Number)
  const pb = b.split(/[.-]/).map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

export interface Mirror {
  path: string
  version: string
  versions: string[]
}

/** The first mirror holding hashicorp/aws: KECS_TF_PLUGIN_MIRROR or one of Terraform's usual plugin directories. */
export function findMirror(preferred: string): Mirror | undefined {
  const places = [
    process.env.KECS_TF_PLUGIN_MIRROR,
    '/opt/tf-plugins',
    join(homedir(), '.terraform.d', 'plugins'),
    join(homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((p): p is string => !!p)
  for (const path of places) {
    const versions = awsVersionsIn(path).sort(byVersion)
    if (versions.length) return { path, versions, version: versions.includes(preferred) ? preferred : versions[versions.length - 1]! }
  }
  return undefined
}

/** `terraform version` with no CLI configuration (a missing or broken one would only warn). */
export async function probeTerraform() {
  const r = await execa(TERRAFORM, ['version'], { reject: false, env: { TF_CLI_CONFIG_FILE: '/dev/null' } }).catch(() => undefined)
  return { ok: r?.exitCode === 0, version: r?.stdout.split('\n')[0] ?? '' }
}

/** A CLI configuration that installs providers from the mirror only: no `direct` block, so a missing one fails instead of being downloaded. */
export const mirrorOnlyConfig = (mirrorPath: string) =>
  `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirrorPath)}\n  }\n}\n`

export interface ProviderRequest {
  url?: string
  host?: string
  /** rpc.service as the SDK names it: ECS, IAM, STS, SSM, "Secrets Manager", "CloudWatch Logs" */
  service?: string
  operation?: string
  /** The resource or data source type the call was made for (none for provider configuration). */
  resource?: string
  /** Terraform's gRPC call: ConfigureProvider, ReadResource, PlanResourceChange, ApplyResourceChange, ReadDataSource */
  rpc?: string
  /** The HTTP status of its response, and the body when it was not 2xx. */
  status?: number
  error?: string
}

/**
 * The HTTP requests the provider logged ("HTTP Request Sent", one log entry over several lines: the
 * body sits between attribute lines), each with the status of its response,
 * plus any URL Terraform itself fetched.
 */
export function readLog(file: string): { requests: ProviderRequest[]; coreUrls: string[] } {
  if (!existsSync(file)) return { requests: [], coreUrls: [] }
  const entries = readFileSync(file, 'utf8').split(/\n(?=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/)
  const attr = (entry: string, key: string) => {
    const m = new RegExp(`(?:^|\\s)${key.replace(/\./g, '\\.')}=("(?:[^"\\\\]|\\\\.)*"|[^\\s]+)`).exec(entry)?.[1]
    return m?.startsWith('"') ? m.slice(1, -1) : m
  }
  const body = (entry: string, key: string) =>
    new RegExp(`${key.replace(/\./g, '\\.')}=\\n((?:  \\| .*\\n?)*)`).exec(entry)?.[1]?.split('\n').map((l) => l.slice(4)).join('\n').trim()
  const requests: (ProviderRequest & { call?: string })[] = []
  for (const e of entries) {
    // One gRPC call (tf_req_id) sends its requests one after another: a response belongs to the last
    // request of that call and operation still without one.
    const call = `${attr(e, 'tf_req_id')}|${attr(e, 'rpc.method')}`
    if (e.includes('HTTP Request Sent')) {
      requests.push({
        url: attr(e, 'http.url'),
        host: attr(e, 'net.peer.name'),
        service: attr(e, 'rpc.service'),
        operation: attr(e, 'rpc.method'),
        resource: attr(e, 'tf_resource_type') ?? attr(e, 'tf_data_source_type'),
        rpc: attr(e, 'tf_rpc'),
        call,
      })
    } else if (e.includes('HTTP Response Received')) {
      const target = requests.findLast((x) => x.call === call && x.status === undefined)
      const status = Number(attr(e, 'http.status_code'))
      if (target && status) {
        target.status = status
        if (status >= 300) target.error = body(e, 'http.response.body')?.slice(0, 300)
      }
    }
  }
  const coreUrls = entries.flatMap((e) => [...e.matchAll(/\[DEBUG\] (?:GET|HEAD|POST|PUT) (https?:\/\/\S+)/g)].map((m) => m[1]!))
  return { requests: requests.map(({ call: _, ...r }) => r), coreUrls }
}

export function countOps(requests: ProviderRequest[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of requests) counts[r.operation ?? '?'] = (counts[r.operation ?? '?'] ?? 0) + 1
  return counts
}

/** "aws_iam_role: IAM.CreateRole, IAM.GetRole×2; …": the calls of one phase per resource, in first-call order. */
export function callsByResource(requests: ProviderRequest[]): string {
  const per = new Map<string, Map<string, number>>()
  for (const r of requests) {
    const key = r.resource ?? `(${r.rpc ?? 'provider'})`
    const ops = per.get(key) ?? new Map<string, number>()
    const op = `${r.service}.${r.operation}`
    ops.set(op, (ops.get(op) ?? 0) + 1)
    per.set(key, ops)
  }
  return [...per]
    .map(([res, ops]) => `${res}: ${[...ops].map(([op, n]) => (n > 1 ? `${op}×${n}` : op)).join(', ')}`)
    .join('\n  ')
}

/** Why a Terraform stack test cannot run here (it says so and skips), or undefined. */
export function terraformSkipReason(tf: { ok: boolean }, mirror: Mirror | undefined, awsVersion: string, hasAws: boolean): string | undefined {
  if (!tf.ok) return `\`${TERRAFORM}\` is not installed`
  if (!mirror?.versions.includes(awsVersion)) {
    return `no filesystem mirror with registry.terraform.io/hashicorp/aws ${awsVersion} (set KECS_TF_PLUGIN_MIRROR, or put it in /opt/tf-plugins)`
  }
  return hasAws ? undefined : 'the aws CLI is not installed'
}

export interface PhaseOptions {
  cwd: string
  env: Record<string, string>
  /** Where each phase's TF_LOG=DEBUG file goes (`<phase>.log`). */
  logDir: string
  timeoutMs: number
  /** `<phase> <seconds>s` is appended. */
  timings: string[]
}

/** One terraform command with its own debug log; prints its time, the calls it made per resource, and any that failed. */
export async function terraformPhase(phase: string, args: string[], o: PhaseOptions) {
  const log = join(o.logDir, `${phase}.log`)
  const started = Date.now()
  const r = await execa(TERRAFORM, [...args, '-input=false', '-no-color'], {
    cwd: o.cwd,
    env: { ...o.env, TF_LOG: 'DEBUG', TF_LOG_PATH: log },
    extendEnv: false,
    reject: false,
    timeout: o.timeoutMs,
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const { requests, coreUrls } = readLog(log)
  o.timings.push(`${phase} ${seconds}s`)
  const failed = requests.filter((q) => (q.status ?? 200) >= 300)
  console.log(
    `[terraform] ${phase}: exit ${r.exitCode} after ${seconds}s; calls per resource:\n  ${callsByResource(requests) || 'none'}` +
      (failed.length ? `\n[terraform] ${phase}: failed calls:\n  ${failed.map((q) => `${q.service}.${q.operation} (${q.resource ?? q.rpc}) → ${q.status} ${q.error}`).join('\n  ')}` : ''),
  )
  return { ...r, requests, coreUrls, output: `${r.stdout}\n${r.stderr}` }
}

/** Every request of a phase went to KECS's one API port, for one of `services`. */
export function expectOnlyKecs(run: { requests: ProviderRequest[]; coreUrls: string[] }, endpoint: string, services: string[]) {
  for (const r of run.requests) {
    expect(r.url, JSON.stringify(r)).toBe(`${endpoint}/`)
    expect(r.host).toBe('127.0.0.1')
    expect(services, JSON.stringify(r)).toContain(r.service)
  }
  for (const url of run.coreUrls) expect(new URL(url).hostname, url).toBe('127.0.0.1')
}
