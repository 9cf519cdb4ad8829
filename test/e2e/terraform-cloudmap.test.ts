/**
 * End-to-end: a Terraform stack with Cloud Map (test/fixtures/terraform/cloudmap.tf) applied against
 * the BUILT CLI (`kecs start -d --cluster emulated`): aws_service_discovery_private_dns_namespace
 * (created through an operation Terraform waits on with GetOperation), aws_service_discovery_service
 * with A and SRV records, and an aws_ecs_service whose service_registries register its two tasks.
 * The aws CLI then discovers them; a second plan finds no changes; destroy leaves nothing (the ECS
 * service goes first, its tasks deregister, then the Cloud Map service and namespace can go).
 *
 * Skipped, with a message, when `terraform`, a mirror holding hashicorp/aws, or the aws CLI is missing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, until, type CliHome, type Started } from '../helpers/cli.js'
import { countOps, findMirror, mirrorOnlyConfig, probeTerraform, TERRAFORM, type ProviderRequest, expectOnlyKecs as expectOnlyKecsCalls, terraformPhase, terraformSkipReason } from '../helpers/terraform.js'

const TIMEOUT = 300_000
/** The fixture pins this provider version (its required_providers block). */
const AWS_VERSION = '5.100.0'
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'terraform', 'cloudmap.tf')
const NAME = 'tf-cm'
/** What the provider may call: the services of the stack, STS for the account; no EC2 (the namespace's VPC is only recorded). */
const SERVICES = ['ECS', 'STS', 'ServiceDiscovery']

const tf0 = await probeTerraform()
const mirror = findMirror(AWS_VERSION)
const hasAws = await hasCommand('aws', ['--version'])
const skip = terraformSkipReason(tf0, mirror, AWS_VERSION, hasAws)
if (skip) console.warn(`[e2e] ${skip}: the Terraform Cloud Map stack test is SKIPPED`)

describe.skipIf(!!skip)('Terraform: a Cloud Map namespace and service, and an ECS service registered in it, against KECS', { timeout: TIMEOUT }, () => {
  let cli: CliHome
  let inst: Started
  let work: string
  let cfgDir: string
  let tfEnv: Record<string, string>
  let outputs: Record<string, string> = {}
  const timings: string[] = []

  const tf = (phase: string, args: string[]) => terraformPhase(phase, args, { cwd: cfgDir, env: tfEnv, logDir: work, timeoutMs: TIMEOUT - 20_000, timings })
  const expectOnlyKecs = (run: { requests: ProviderRequest[]; coreUrls: string[] }) => expectOnlyKecsCalls(run, inst.endpoint, SERVICES)

  /** `aws --endpoint-url <KECS> <service> <args>` as JSON; fails the test unless it exits 0 (or `ok: false`). */
  async function aws(service: string, args: string[], opts: { ok?: boolean } = {}) {
    const r = await cli.run('aws', ['--endpoint-url', inst.endpoint, '--output', 'json', service, ...args], { timeout: 60_000, env: { AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' } })
    if (opts.ok !== false) expect(r.exitCode, `aws ${service} ${args.join(' ')}: ${r.stderr}`).toBe(0)
    return { ...r, json: r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
  }

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    const started = Date.now()
    cli = cliHome('kecs-e2e-tf-cm-')
    inst = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
    timings.push(`kecs start ${((Date.now() - started) / 1000).toFixed(1)}s`)

    work = mkdtempSync(join(tmpdir(), 'kecs-e2e-tf-cm-'))
    cfgDir = join(work, 'config')
    mkdirSync(cfgDir)
    mkdirSync(join(work, 'plugin-cache'))
    writeFileSync(join(work, 'terraform.rc'), mirrorOnlyConfig(mirror!.path))
    writeFileSync(join(cfgDir, 'main.tf'), readFileSync(FIXTURE, 'utf8'))
    const base = Object.entries(cli.env()).filter(([k]) => !k.startsWith('TF_') && !k.startsWith('CHECKPOINT_') && !k.startsWith('AWS_'))
    tfEnv = {
      ...Object.fromEntries(base),
      TF_CLI_CONFIG_FILE: join(work, 'terraform.rc'),
      TF_DATA_DIR: join(work, 'data'),
      TF_PLUGIN_CACHE_DIR: join(work, 'plugin-cache'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_VAR_kecs_endpoint: inst.endpoint,
      CHECKPOINT_DISABLE: '1',
      // The keys are in the provider block; no user configuration, and no instance metadata.
      AWS_CONFIG_FILE: join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    console.log(`[terraform] ${tf0.version}, hashicorp/aws ${AWS_VERSION} from ${mirror!.path}; KECS at ${inst.endpoint}`)
  }, 120_000)

  afterAll(async () => {
    if (timings.length) console.log(`[terraform] timings: ${timings.join(', ')}`)
    // Stopping KECS drops whatever a failed apply left (the home goes with it). KECS_KEEP_TF_WORK keeps the debug logs.
    await cli?.cleanup()
    if (work && !process.env.KECS_KEEP_TF_WORK) rmSync(work, { recursive: true, force: true })
    else if (work) console.log(`[terraform] work directory kept: ${work}`)
  })

  it('init installs the provider from the filesystem mirror only', async () => {
    const r = await tf('init', ['init'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.requests).toEqual([])
  })

  it('apply creates the namespace, the Cloud Map service and the ECS service, whose tasks register', async () => {
    const r = await tf('apply', ['apply', '-auto-approve', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('Apply complete! Resources: 5 added, 0 changed, 0 destroyed.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['CreatePrivateDnsNamespace', 'GetOperation', 'GetNamespace', 'CreateService', 'GetService', 'RegisterTaskDefinition'])
      expect(ops[op], op).toBeGreaterThan(0)

    const out = await execa(TERRAFORM, ['output', '-json', '-no-color'], { cwd: cfgDir, env: tfEnv, extendEnv: false, reject: false })
    expect(out.exitCode, out.stderr).toBe(0)
    outputs = Object.fromEntries(Object.entries(JSON.parse(out.stdout) as Record<string, { value: string }>).map(([k, v]) => [k, v.value]))
    expect(outputs.namespace_id).toMatch(/^ns-[a-z0-9]{16}$/)
    expect(outputs.namespace_hosted_zone).toMatch(/^Z[A-Z0-9]+$/)
    expect(outputs.service_arn).toBe(`arn:aws:servicediscovery:us-east-1:000000000000:service/${outputs.service_id}`)

    const ns = (await aws('servicediscovery', ['get-namespace', '--id', outputs.namespace_id!])).json.Namespace
    expect(ns).toMatchObject({ Name: `${NAME}.local`, Type: 'DNS_PRIVATE', Description: `services of ${NAME}`, ServiceCount: 1 })
    expect((await aws('servicediscovery', ['list-tags-for-resource', '--resource-arn', ns.Arn])).json.Tags).toEqual([{ Key: 'project', Value: 'kecs' }])
    const svc = (await aws('servicediscovery', ['get-service', '--id', outputs.service_id!])).json.Service
    expect(svc).toMatchObject({ Name: 'web', NamespaceId: outputs.namespace_id, DnsConfig: { NamespaceId: outputs.namespace_id, RoutingPolicy: 'MULTIVALUE' } })

    const ecsSvc = (await aws('ecs', ['describe-services', '--cluster', NAME, '--services', `${NAME}-web`])).json.services[0]
    expect(ecsSvc.serviceRegistries).toEqual([{ registryArn: outputs.service_arn, containerName: 'web', containerPort: 80 }])
    const tasks = (await aws('ecs', ['list-tasks', '--cluster', NAME, '--service-name', `${NAME}-web`])).json.taskArns.map((a: string) => a.split('/').pop()).sort()
    expect(tasks).toHaveLength(2)
    const found = await until('both tasks discoverable', async () => {
      const d = (await aws('servicediscovery', ['discover-instances', '--namespace-name', `${NAME}.local`, '--service-name', 'web'])).json
      return d.Instances.length === 2 ? d.Instances : undefined
    })
    expect(found.map((i: any) => i.InstanceId).sort()).toEqual(tasks)
    for (const i of found) expect(i.Attributes).toMatchObject({ AWS_INSTANCE_PORT: '80', ECS_SERVICE_NAME: `${NAME}-web`, ECS_CLUSTER_NAME: NAME })
  })

  it('a second plan -detailed-exitcode reports no changes', async () => {
    const r = await tf('plan', ['plan', '-detailed-exitcode', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('No changes.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['GetNamespace', 'GetService', 'ListTagsForResource', 'DescribeServices']) expect(ops[op], op).toBeGreaterThan(0)
  })

  it('destroy removes everything: no namespace, Cloud Map service, instance or active ECS service is left', async () => {
    const r = await tf('destroy', ['destroy', '-auto-approve', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('Destroy complete! Resources: 5 destroyed.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['DeleteService', 'DeleteNamespace', 'GetOperation', 'DeleteCluster']) expect(ops[op], op).toBeGreaterThan(0)
    expect((await aws('servicediscovery', ['list-namespaces'])).json.Namespaces).toEqual([])
    expect((await aws('servicediscovery', ['list-services'])).json.Services).toEqual([])
    expect((await aws('servicediscovery', ['get-service', '--id', outputs.service_id!], { ok: false })).stderr).toContain('(ServiceNotFound)')
    const svc = (await aws('ecs', ['describe-services', '--cluster', NAME, '--services', `${NAME}-web`])).json
    expect(svc.services.filter((s: { status: string }) => s.status !== 'INACTIVE')).toEqual([])
  })
})
