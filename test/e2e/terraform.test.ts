/**
 * End-to-end: Terraform's AWS provider against the BUILT CLI (`kecs start -d --cluster emulated`,
 * temporary KECS_HOME, free ports). The provider comes from a local filesystem mirror (never a
 * registry); the configuration holds an `aws_ecs_cluster`, an `aws_ecs_task_definition` (one container
 * with port mappings) and an `aws_ecs_service` (desired_count 2, wait_for_steady_state). `apply`
 * succeeds, a second `plan -detailed-exitcode` finds no changes (KECS reads everything back as it was
 * sent), `destroy` succeeds (the provider scales the service to 0, deletes it, waits for INACTIVE).
 *
 * Every phase runs with TF_LOG=DEBUG into its own file: the provider logs each HTTP request it sends,
 * and the test checks they all went to KECS on 127.0.0.1 (ECS only: no STS, IAM or metadata calls).
 * Phase timings and the ECS operations called are printed; nothing asserts on time.
 *
 * Skipped, with a message, when `terraform` or a mirror holding hashicorp/aws for this platform is
 * missing. The mirror is KECS_TF_PLUGIN_MIRROR or one of Terraform's usual plugin directories.
 */
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, type CliHome, type Started } from '../helpers/cli.js'
import { countOps, findMirror, mirrorOnlyConfig, probeTerraform, readLog, TERRAFORM, type ProviderRequest } from '../helpers/terraform.js'

const TIMEOUT = 300_000
/** The provider version this configuration was checked against; another one in the mirror is used when it is absent. */
const PREFERRED_AWS = '5.100.0'

const tfProbe = await probeTerraform()
const hasTerraform = tfProbe.ok
const mirror = findMirror(PREFERRED_AWS)
if (!hasTerraform) console.warn(`[e2e] \`${TERRAFORM}\` is not installed: the Terraform e2e test is SKIPPED`)
else if (!mirror)
  console.warn(
    `[e2e] no filesystem mirror with registry.terraform.io/hashicorp/aws (set KECS_TF_PLUGIN_MIRROR, or put it in /opt/tf-plugins): the Terraform e2e test is SKIPPED`,
  )

function configuration(endpoint: string, awsVersion: string): string {
  return `
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "${awsVersion}"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 2

  # Only ECS is used; STS and IAM point at KECS too so nothing could leave the machine.
  endpoints {
    ecs = "${endpoint}"
    sts = "${endpoint}"
    iam = "${endpoint}"
  }

  default_tags {
    tags = { project = "kecs" }
  }
}

resource "aws_ecs_cluster" "main" {
  name = "tf-e2e"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = { env = "e2e" }
}

resource "aws_ecs_task_definition" "web" {
  family = "tf-web"
  container_definitions = jsonencode([{
    name         = "web"
    image        = "nginx:1.27"
    essential    = true
    memory       = 128
    portMappings = [{ containerPort = 80, protocol = "tcp" }]
    environment  = [{ name = "GREETING", value = "hello" }]
  }])
  tags = { env = "e2e" }
}

resource "aws_ecs_service" "web" {
  name                               = "tf-web"
  cluster                            = aws_ecs_cluster.main.id
  task_definition                    = aws_ecs_task_definition.web.arn
  desired_count                      = 2
  wait_for_steady_state              = true
  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 200
  propagate_tags                     = "SERVICE"
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  tags = { env = "e2e" }
}

output "cluster_arn" {
  value = aws_ecs_cluster.main.arn
}
output "task_definition_arn" {
  value = aws_ecs_task_definition.web.arn
}
output "service_id" {
  value = aws_ecs_service.web.id
}
`
}

describe.skipIf(!hasTerraform || !mirror)('Terraform (AWS provider from a filesystem mirror) against kecs start --cluster emulated', { timeout: TIMEOUT }, () => {
  let cli: CliHome
  let inst: Started
  let work: string
  let cfgDir: string
  let ecs: ECSClient
  let tfEnv: Record<string, string>
  const timings: string[] = []

  /** One terraform command with its own debug log; prints its time and the ECS operations it called. */
  async function tf(phase: string, args: string[]) {
    const log = join(work, `${phase}.log`)
    const started = Date.now()
    const r = await execa(TERRAFORM, [...args], {
      cwd: cfgDir,
      env: { ...tfEnv, TF_LOG: 'DEBUG', TF_LOG_PATH: log },
      extendEnv: false,
      reject: false,
      timeout: TIMEOUT - 10_000,
    })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const { requests, coreUrls } = readLog(log)
    const ops = Object.entries(countOps(requests))
      .map(([op, n]) => (n > 1 ? `${op}×${n}` : op))
      .join(', ')
    timings.push(`${phase} ${seconds}s`)
    console.log(`[terraform] ${phase}: exit ${r.exitCode} after ${seconds}s; provider calls: ${ops || 'none'}`)
    return { ...r, requests, coreUrls, output: `${r.stdout}\n${r.stderr}` }
  }

  /** Every request went to KECS, and only to its ECS API. */
  function expectOnlyKecs(run: { requests: ProviderRequest[]; coreUrls: string[] }) {
    for (const r of run.requests) {
      expect(r.url, JSON.stringify(r)).toBe(`${inst.endpoint}/`)
      expect(r.host).toBe('127.0.0.1')
      expect(r.service, JSON.stringify(r)).toBe('ECS')
    }
    for (const url of run.coreUrls) expect(new URL(url).hostname, url).toBe('127.0.0.1')
  }

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    const started = Date.now()
    cli = cliHome('kecs-e2e-terraform-')
    inst = await cli.startDetached('terraform', { args: ['--cluster', 'emulated'] })
    timings.push(`kecs start ${((Date.now() - started) / 1000).toFixed(1)}s`)
    ecs = new ECSClient({ endpoint: inst.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })

    work = mkdtempSync(join(tmpdir(), 'kecs-e2e-tf-'))
    cfgDir = join(work, 'config')
    mkdirSync(cfgDir)
    mkdirSync(join(work, 'plugin-cache'))
    const cliConfig = join(work, 'terraform.rc')
    writeFileSync(cliConfig, mirrorOnlyConfig(mirror!.path))
    writeFileSync(join(cfgDir, 'main.tf'), configuration(inst.endpoint, mirror!.version))
    const base = Object.entries(cli.env()).filter(([k]) => !k.startsWith('TF_') && !k.startsWith('CHECKPOINT_'))
    tfEnv = {
      ...Object.fromEntries(base),
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_DATA_DIR: join(work, 'data'),
      TF_PLUGIN_CACHE_DIR: join(work, 'plugin-cache'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    console.log(`[terraform] ${tfProbe.version}, hashicorp/aws ${mirror!.version} from ${mirror!.path}; KECS at ${inst.endpoint}`)
  }, 120_000)

  afterAll(async () => {
    if (timings.length) console.log(`[terraform] timings: ${timings.join(', ')}`)
    ecs?.destroy()
    await cli?.cleanup()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('init installs the provider from the filesystem mirror only', async () => {
    const r = await tf('init', ['init', '-input=false', '-no-color'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain(`Installing hashicorp/aws v${mirror!.version}`)
    expect(r.requests).toEqual([])
    expectOnlyKecs(r)
  })

  it('apply creates the cluster, the task definition and a service that reaches a steady state', async () => {
    const r = await tf('apply', ['apply', '-auto-approve', '-input=false', '-no-color', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['CreateCluster', 'RegisterTaskDefinition', 'CreateService', 'DescribeServices']) expect(ops[op], op).toBeGreaterThan(0)

    const out = await execa(TERRAFORM, ['output', '-json', '-no-color'], { cwd: cfgDir, env: tfEnv, extendEnv: false, reject: false })
    expect(out.exitCode, out.stderr).toBe(0)
    const outputs = JSON.parse(out.stdout) as Record<string, { value: string }>
    expect(outputs.cluster_arn!.value).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/tf-e2e')
    expect(outputs.task_definition_arn!.value).toBe('arn:aws:ecs:us-east-1:000000000000:task-definition/tf-web:1')
    expect(outputs.service_id!.value).toBe('arn:aws:ecs:us-east-1:000000000000:service/tf-e2e/tf-web')

    // What the provider waited for is what ECS clients see: 2 running tasks of one completed deployment.
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'tf-e2e', services: ['tf-web'], include: ['TAGS'] }))
    const svc = services![0]!
    expect(svc).toMatchObject({ status: 'ACTIVE', desiredCount: 2, runningCount: 2, pendingCount: 0, taskDefinition: outputs.task_definition_arn!.value })
    expect(svc.deployments).toHaveLength(1)
    expect(svc.deployments![0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 })
    expect(svc.tags).toEqual(expect.arrayContaining([{ key: 'env', value: 'e2e' }, { key: 'project', value: 'kecs' }]))
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'tf-e2e', serviceName: 'tf-web' }))
    expect(taskArns).toHaveLength(2)
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'tf-e2e', tasks: taskArns }))
    for (const t of tasks!) expect(t).toMatchObject({ lastStatus: 'RUNNING', group: 'service:tf-web', taskDefinitionArn: outputs.task_definition_arn!.value })
  })

  it('a second plan -detailed-exitcode reports no changes', async () => {
    const r = await tf('plan', ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=false'])
    // 0 = no changes, 2 = changes (the diff is in the output), 1 = error.
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('No changes.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['DescribeClusters', 'DescribeTaskDefinition', 'DescribeServices']) expect(ops[op], op).toBeGreaterThan(0)
  })

  it('destroy deletes the service (DRAINING -> INACTIVE), deregisters the task definition, deletes the cluster', async () => {
    const r = await tf('destroy', ['destroy', '-auto-approve', '-input=false', '-no-color', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('Destroy complete! Resources: 3 destroyed.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['DeleteService', 'DeregisterTaskDefinition', 'DeleteCluster']) expect(ops[op], op).toBeGreaterThan(0)

    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['tf-e2e'] }))
    expect(clusters![0]).toMatchObject({ status: 'INACTIVE', activeServicesCount: 0, runningTasksCount: 0 })
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tf-web:1' }))
    expect(taskDefinition!.status).toBe('INACTIVE')
  })
})
