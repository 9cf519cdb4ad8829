/**
 * End-to-end: a Terraform stack written for AWS (test/fixtures/terraform/neighbours.tf) applied against
 * the BUILT CLI (`kecs start -d --cluster emulated`). Besides the ECS cluster, task definition and
 * service it holds what such a stack always has: IAM execution and task roles (a managed policy
 * attachment and inline policies), an SSM SecureString and String parameter and a Secrets Manager JSON
 * secret injected as container `secrets`, and a CloudWatch log group for the awslogs driver. Every
 * endpoint of the provider points at KECS, and the provider validates its credentials and reads the
 * account id through STS as it does against AWS.
 *
 * Steps: init from the filesystem mirror; apply; the API (aws CLI) shows what was made, the service's
 * task RUNNING, the container sees the secret values, its log stream exists; a second plan
 * -detailed-exitcode finds no changes; destroy leaves nothing of the stack.
 *
 * Every phase runs with TF_LOG=DEBUG into its own file; the test checks all requests went to KECS and
 * prints the calls per resource (and any that failed, with the error), which is what to read when a
 * phase fails. Nothing asserts on time.
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
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'terraform', 'neighbours.tf')
const NAME = 'tf-nb'
const ACCOUNT = '000000000000'
/** What the provider may call: the services of the stack, STS for the account, nothing else. */
const SERVICES = ['ECS', 'IAM', 'STS', 'SSM', 'Secrets Manager', 'CloudWatch Logs']

const tf0 = await probeTerraform()
const mirror = findMirror(AWS_VERSION)
const hasAws = await hasCommand('aws', ['--version'])
const skip = terraformSkipReason(tf0, mirror, AWS_VERSION, hasAws)
if (skip) console.warn(`[e2e] ${skip}: the Terraform neighbour-services stack test is SKIPPED`)

describe.skipIf(!!skip)('Terraform: an ECS service with IAM roles, SSM / Secrets Manager secrets and a log group, all against KECS', { timeout: TIMEOUT }, () => {
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
    const r = await cli.run('aws', ['--endpoint-url', inst.endpoint, '--output', 'json', service, ...args], { timeout: 60_000 })
    if (opts.ok !== false) expect(r.exitCode, `aws ${service} ${args.join(' ')}: ${r.stderr}`).toBe(0)
    return { ...r, json: r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined }
  }

  const serviceTask = async () => {
    const { json } = await aws('ecs', ['list-tasks', '--cluster', NAME, '--service-name', `${NAME}-app`])
    expect(json.taskArns).toHaveLength(1)
    return (await aws('ecs', ['describe-tasks', '--cluster', NAME, '--tasks', json.taskArns[0]])).json.tasks[0]
  }

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    const started = Date.now()
    cli = cliHome('kecs-e2e-tf-nb-')
    inst = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
    timings.push(`kecs start ${((Date.now() - started) / 1000).toFixed(1)}s`)

    work = mkdtempSync(join(tmpdir(), 'kecs-e2e-tf-nb-'))
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
    expect(r.stdout).toContain(`Installing hashicorp/aws v${AWS_VERSION}`)
    expect(r.requests).toEqual([])
    expectOnlyKecs(r)
  })

  it('apply creates all 13 resources; the provider validated its credentials through STS', async () => {
    const r = await tf('apply', ['apply', '-auto-approve', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('Apply complete! Resources: 13 added, 0 changed, 0 destroyed.')
    expectOnlyKecs(r)
    // ConfigureProvider: credentials validation and the account id, both GetCallerIdentity.
    expect(r.requests.filter((q) => q.rpc === 'ConfigureProvider').map((q) => `${q.service}.${q.operation}`)).toContain('STS.GetCallerIdentity')
    const ops = countOps(r.requests)
    for (const op of ['CreateRole', 'AttachRolePolicy', 'PutRolePolicy', 'PutParameter', 'CreateSecret', 'PutSecretValue', 'CreateLogGroup', 'PutRetentionPolicy', 'RegisterTaskDefinition', 'CreateService'])
      expect(ops[op], op).toBeGreaterThan(0)

    const out = await execa(TERRAFORM, ['output', '-json', '-no-color'], { cwd: cfgDir, env: tfEnv, extendEnv: false, reject: false })
    expect(out.exitCode, out.stderr).toBe(0)
    outputs = Object.fromEntries(Object.entries(JSON.parse(out.stdout) as Record<string, { value: string }>).map(([k, v]) => [k, v.value]))
    expect(outputs).toMatchObject({
      account_id: ACCOUNT,
      execution_role_arn: `arn:aws:iam::${ACCOUNT}:role/${NAME}-execution`,
      task_role_arn: `arn:aws:iam::${ACCOUNT}:role/${NAME}-task`,
      api_key_arn: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/${NAME}/api-key`,
      log_group_arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/${NAME}`,
      task_definition_arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${NAME}-app:1`,
      service_id: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${NAME}/${NAME}-app`,
    })
    // Secrets Manager ARNs end in a dash and 6 random characters.
    expect(outputs.secret_arn).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${NAME}/db-[A-Za-z0-9]{6}$`))
  })

  it('the API shows the roles, policies, parameters, secret and log group as Terraform made them', async () => {
    expect((await aws('sts', ['get-caller-identity'])).json).toMatchObject({ Account: ACCOUNT })

    const exec = (await aws('iam', ['get-role', '--role-name', `${NAME}-execution`])).json.Role
    expect(exec).toMatchObject({ RoleName: `${NAME}-execution`, Arn: outputs.execution_role_arn, Path: '/' })
    // AWS answers the document URL-encoded; the CLI decodes it.
    expect(JSON.stringify(exec.AssumeRolePolicyDocument)).toContain('ecs-tasks.amazonaws.com')
    expect(exec.Tags).toEqual(expect.arrayContaining([{ Key: 'role', Value: 'execution' }, { Key: 'project', Value: 'kecs' }]))
    const attached = (await aws('iam', ['list-attached-role-policies', '--role-name', `${NAME}-execution`])).json.AttachedPolicies
    expect(attached).toEqual([{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }])
    expect((await aws('iam', ['list-role-policies', '--role-name', `${NAME}-execution`])).json.PolicyNames).toEqual(['read-secrets'])
    const inline = (await aws('iam', ['get-role-policy', '--role-name', `${NAME}-task`, '--policy-name', 'app'])).json
    expect(JSON.stringify(inline.PolicyDocument)).toContain('ssm:GetParameter')

    const key = (await aws('ssm', ['get-parameter', '--name', `/${NAME}/api-key`, '--with-decryption'])).json.Parameter
    expect(key).toMatchObject({ Name: `/${NAME}/api-key`, Type: 'SecureString', Value: 'key-0123456789', Version: 1, ARN: outputs.api_key_arn })
    expect((await aws('ssm', ['get-parameter', '--name', `/${NAME}/mode`])).json.Parameter).toMatchObject({ Type: 'String', Value: 'production' })

    const secret = (await aws('secretsmanager', ['get-secret-value', '--secret-id', `${NAME}/db`])).json
    expect(secret).toMatchObject({ ARN: outputs.secret_arn, Name: `${NAME}/db`, VersionStages: ['AWSCURRENT'] })
    expect(JSON.parse(secret.SecretString)).toEqual({ username: 'app', password: 's3cr3t-pw' })

    const groups = (await aws('logs', ['describe-log-groups', '--log-group-name-prefix', `/ecs/${NAME}`])).json.logGroups
    expect(groups).toHaveLength(1)
    expect(groups[0]).toMatchObject({ logGroupName: `/ecs/${NAME}`, retentionInDays: 7, arn: `${outputs.log_group_arn}:*` })
    // The provider reads tags with ListTagsForResource on the ARN without `:*`.
    expect((await aws('logs', ['list-tags-for-resource', '--resource-arn', outputs.log_group_arn!])).json.tags).toEqual({ kind: 'logs', project: 'kecs' })
  })

  it('the service runs its one task with the roles of the task definition', async () => {
    const svc = (await aws('ecs', ['describe-services', '--cluster', NAME, '--services', `${NAME}-app`])).json.services[0]
    expect(svc).toMatchObject({ status: 'ACTIVE', desiredCount: 1, runningCount: 1, taskDefinition: outputs.task_definition_arn, enableExecuteCommand: true })
    const task = await serviceTask()
    expect(task).toMatchObject({ lastStatus: 'RUNNING', group: `service:${NAME}-app`, taskDefinitionArn: outputs.task_definition_arn })
    const td = (await aws('ecs', ['describe-task-definition', '--task-definition', outputs.task_definition_arn!])).json.taskDefinition
    expect(td).toMatchObject({ executionRoleArn: outputs.execution_role_arn, taskRoleArn: outputs.task_role_arn })
    expect(td.containerDefinitions[0].secrets).toEqual([
      { name: 'API_KEY', valueFrom: outputs.api_key_arn },
      { name: 'APP_MODE', valueFrom: `/${NAME}/mode` },
      { name: 'DB_PASSWORD', valueFrom: `${outputs.secret_arn}:password::` },
    ])
  })

  // NEEDS: KECS resolving container `secrets` from its own SSM and Secrets Manager (today the pod's
  // Secret is created empty, see secretFor in src/kube/task-runtime.ts). Read as the container sees
  // them: `kecs exec … -- env` (the service enables ECS Exec).
  it('the container sees the SSM parameter values and the secret\'s JSON key as environment variables', async () => {
    const task = await serviceTask()
    const id = String(task.taskArn).split('/').pop()!
    await until('the ECS Exec agent', async () => (await serviceTask()).containers[0].managedAgents?.[0]?.lastStatus === 'RUNNING', 60_000)
    const env = await cli.kecs(['exec', id, '--cluster', NAME, '--container', 'app', '--', 'env'])
    expect(env.exitCode, env.stderr).toBe(0)
    expect(env.stdout).toMatch(/^GREETING=hello$/m)
    expect(env.stdout).toMatch(/^API_KEY=key-0123456789$/m)
    expect(env.stdout).toMatch(/^APP_MODE=production$/m)
    expect(env.stdout).toMatch(/^DB_PASSWORD=s3cr3t-pw$/m)
  })

  // NEEDS: the awslogs driver on KECS creating `<prefix>/<container>/<task id>` in the group when the container starts.
  it('the task\'s awslogs stream exists in the log group', async () => {
    const id = String((await serviceTask()).taskArn).split('/').pop()!
    const stream = `app/app/${id}`
    const streams = await until(
      `log stream ${stream}`,
      async () => (await aws('logs', ['describe-log-streams', '--log-group-name', `/ecs/${NAME}`, '--log-stream-name-prefix', stream])).json.logStreams.length > 0,
      30_000,
    ).catch(() => false)
    expect(streams, `no log stream ${stream} in /ecs/${NAME}`).toBe(true)
  })

  it('a second plan -detailed-exitcode reports no changes', async () => {
    const r = await tf('plan', ['plan', '-detailed-exitcode', '-lock=false'])
    // 0 = no changes, 2 = changes (the diff is in the output), 1 = error.
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('No changes.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['GetRole', 'ListAttachedRolePolicies', 'GetRolePolicy', 'GetParameter', 'DescribeParameters', 'DescribeSecret', 'GetSecretValue', 'DescribeLogGroups', 'DescribeServices'])
      expect(ops[op], op).toBeGreaterThan(0)
  })

  it('destroy removes everything: no role, parameter, secret, log group or active service of the stack is left', async () => {
    const r = await tf('destroy', ['destroy', '-auto-approve', '-lock=false'])
    expect(r.exitCode, r.output).toBe(0)
    expect(r.stdout).toContain('Destroy complete! Resources: 13 destroyed.')
    expectOnlyKecs(r)
    const ops = countOps(r.requests)
    for (const op of ['DeleteService', 'DeregisterTaskDefinition', 'DeleteCluster', 'DetachRolePolicy', 'DeleteRolePolicy', 'DeleteRole', 'DeleteParameter', 'DeleteSecret', 'DeleteLogGroup'])
      expect(ops[op], op).toBeGreaterThan(0)

    const roles = (await aws('iam', ['list-roles'])).json.Roles.map((x: { RoleName: string }) => x.RoleName)
    expect(roles.filter((n: string) => n.startsWith(NAME))).toEqual([])
    const gone = await aws('iam', ['get-role', '--role-name', `${NAME}-execution`], { ok: false })
    expect(gone.stderr).toContain('(NoSuchEntity)')

    const params = (await aws('ssm', ['get-parameters', '--names', `/${NAME}/api-key`, `/${NAME}/mode`])).json
    expect(params.Parameters).toEqual([])
    expect(params.InvalidParameters.sort()).toEqual([`/${NAME}/api-key`, `/${NAME}/mode`])

    // recovery_window_in_days = 0: deleted at once, not scheduled.
    const secrets = (await aws('secretsmanager', ['list-secrets', '--include-planned-deletion'])).json.SecretList
    expect(secrets.filter((s: { Name: string }) => s.Name.startsWith(NAME))).toEqual([])
    expect((await aws('secretsmanager', ['describe-secret', '--secret-id', `${NAME}/db`], { ok: false })).stderr).toContain('(ResourceNotFoundException)')

    expect((await aws('logs', ['describe-log-groups', '--log-group-name-prefix', `/ecs/${NAME}`])).json.logGroups).toEqual([])

    const svc = (await aws('ecs', ['describe-services', '--cluster', NAME, '--services', `${NAME}-app`])).json
    expect(svc.services.filter((s: { status: string }) => s.status !== 'INACTIVE')).toEqual([])
    expect((await aws('ecs', ['describe-clusters', '--clusters', NAME])).json.clusters[0]).toMatchObject({ status: 'INACTIVE', activeServicesCount: 0, runningTasksCount: 0 })
    expect((await aws('ecs', ['describe-task-definition', '--task-definition', `${NAME}-app:1`])).json.taskDefinition.status).toBe('INACTIVE')
  })
})
