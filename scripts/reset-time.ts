/**
 * How long `POST /reset` takes with 1,000 resources stored (the peer: moto's `/moto-api/reset`).
 * Usage: npx tsx scripts/reset-time.ts [--cluster none|emulated] [--runs 5] [--resources 1000]
 * Each run fills a fresh state through the API (clusters, task definitions, tags, SSM parameters,
 * secrets, log groups with events, IAM roles), then resets; prints the client-side and server-side
 * times of every run and their median.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { emulatedProvider } from '../src/cluster/emulated.js'
import { startInstance } from '../src/instance/instance.js'

const { values } = parseArgs({ options: { cluster: { type: 'string', default: 'none' }, runs: { type: 'string', default: '5' }, resources: { type: 'string', default: '1000' } } })
const runs = Number(values.runs)
const total = Number(values.resources)
const dir = mkdtempSync(join(tmpdir(), 'kecs-reset-time-'))
const inst = await startInstance({
  dir,
  port: 0,
  adminPort: 0,
  ...(values.cluster === 'emulated' ? { cluster: { provider: emulatedProvider, emulatorSpeed: 10 } } : {}),
})

const post = async (target: string, body: unknown, form = false) => {
  const res = await fetch(inst.endpoint + '/', {
    method: 'POST',
    headers: form
      ? { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x' }
      : { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  })
  if (res.status !== 200) throw new Error(`${target}: ${res.status} ${await res.text()}`)
  await res.arrayBuffer()
}
const ecs = (op: string, body: unknown) => post(`AmazonEC2ContainerServiceV20141113.${op}`, body)

/** 1,000 resources by default: 5% clusters, 40% task definitions, 10% tags, 15% parameters, 10% secrets, 10% log groups, 10% roles. */
async function fill(n: number) {
  const share = (p: number) => Math.round(n * p)
  const jobs: (() => Promise<void>)[] = []
  for (let i = 0; i < share(0.05); i++) jobs.push(() => ecs('CreateCluster', { clusterName: `c${i}`, tags: [{ key: 'k', value: 'v' }] }))
  for (let i = 0; i < share(0.4); i++)
    jobs.push(() => ecs('RegisterTaskDefinition', { family: `f${i % 40}`, containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }], tags: i < share(0.1) ? [{ key: 'k', value: 'v' }] : undefined }))
  for (let i = 0; i < share(0.15); i++) jobs.push(() => post('AmazonSSM.PutParameter', { Name: `/p/${i}`, Value: 'v', Type: 'String' }))
  for (let i = 0; i < share(0.1); i++) jobs.push(() => post('secretsmanager.CreateSecret', { Name: `s${i}`, SecretString: 'x', ClientRequestToken: randomUUID() }))
  for (let i = 0; i < share(0.1); i++) jobs.push(() => post('Logs_20140328.CreateLogGroup', { logGroupName: `/g/${i}` }))
  for (let i = 0; i < share(0.1); i++)
    jobs.push(() => post('', { Action: 'CreateRole', Version: '2010-05-08', RoleName: `r${i}`, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}' }, true))
  const worker = async () => {
    for (let j = jobs.shift(); j; j = jobs.shift()) await j()
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const client: number[] = []
const server: number[] = []
try {
  for (let r = 0; r < runs; r++) {
    await fill(total)
    const t0 = performance.now()
    const res = await fetch(`http://127.0.0.1:${inst.admin.port}/reset`, { method: 'POST' })
    const body = (await res.json()) as { ms: number; removed: Record<string, number> }
    const ms = performance.now() - t0
    client.push(ms)
    server.push(body.ms)
    const rows = Object.values(body.removed).reduce((a, b) => a + b, 0)
    console.log(`run ${r + 1}: ${ms.toFixed(1)} ms (server ${body.ms} ms), removed ${rows} rows: ${JSON.stringify(body.removed)}`)
  }
  console.log(
    `cluster=${values.cluster} resources=${total} runs=${runs}: median ${median(client).toFixed(1)} ms (min ${Math.min(...client).toFixed(1)}, max ${Math.max(...client).toFixed(1)}); server median ${median(server)} ms`,
  )
} finally {
  await inst.close()
  rmSync(dir, { recursive: true, force: true })
}
