import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { PassThrough, Writable } from 'node:stream'
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs'
import { Exec } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { roleArnOfSessionToken } from '../../src/lib/session-token.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * What a container sees of AWS on the emulated cluster: AWS_ENDPOINT_URL pointing at KECS (unless the
 * task definition sets it, or the instance was started with --no-inject-endpoint), and task role
 * credentials at AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. The emulated pods run in process, so
 * http://169.254.170.2 is KECS's API port itself: boto3 is given the FULL_URI a container's SDK would
 * build, with KECS's (loopback) address in the link-local address's place.
 */
const CLUSTER = 'awsenv-it'
const NS = `kecs-${CLUSTER}`
const ROLE = 'arn:aws:iam::000000000000:role/app-role'

const boto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0

async function setup(t: ClusterInstance): Promise<void> {
  await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'role',
      taskRoleArn: ROLE,
      containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
    }),
  )
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'own-endpoint',
      containerDefinitions: [
        { name: 'app', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'], environment: [{ name: 'AWS_ENDPOINT_URL', value: 'http://127.0.0.1:4566' }] },
      ],
    }),
  )
}

async function running(t: ClusterInstance, family: string): Promise<string> {
  const arn = (await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family }))).tasks![0]!.taskArn!
  await eventually(async () => (await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!.lastStatus === 'RUNNING', 'RUNNING')
  return arn.split('/').pop()!
}

async function sh(t: ClusterInstance, pod: string, script: string): Promise<string> {
  let out = ''
  const stdout = new Writable({ write: (c, _e, done) => ((out += c), done()) })
  await new Promise<void>((resolve) => {
    void new Exec(t.emu.kc).exec(NS, pod, 'app', ['sh', '-c', script], stdout, new PassThrough(), null, false).then((ws) => ws.on('close', () => resolve()))
  })
  return out
}

describe('AWS endpoint and task role credentials in the container', () => {
  let t: ClusterInstance
  beforeAll(async () => {
    t = await startClusterInstance({ speed: 10 })
    await setup(t)
  })
  afterAll(async () => {
    await t?.stopAll()
  })

  it("AWS_ENDPOINT_URL is KECS's API as pods reach it", async () => {
    const id = await running(t, 'role')
    expect(await sh(t, id, 'echo $AWS_ENDPOINT_URL')).toBe(`${t.endpoint}\n`)
  })

  it('a task definition that sets AWS_ENDPOINT_URL keeps its own', async () => {
    const id = await running(t, 'own-endpoint')
    expect(await sh(t, id, 'echo $AWS_ENDPOINT_URL')).toBe('http://127.0.0.1:4566\n')
  })

  const title = "boto3 gets the task role's credentials from the relative URI the container has; STS names the role"
  it.skipIf(!boto3)(boto3 ? title : `${title} (skipped: python3 with boto3 is not installed)`, async () => {
    const id = await running(t, 'role')
    const relative = (await sh(t, id, 'echo $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')).trim()
    expect(relative).toBe(`/v2/credentials/${id}`)
    const script = [
      'import boto3, json',
      'c = boto3.Session(region_name="us-east-1").get_credentials()',
      'f = c.get_frozen_credentials()',
      // the SDK's default chain, then STS on the endpoint the container has (AWS_ENDPOINT_URL)
      'who = boto3.Session(region_name="us-east-1").client("sts").get_caller_identity()',
      'print(json.dumps({"method": c.method, "key": f.access_key, "token": f.token, "arn": who["Arn"]}))',
    ].join('\n')
    // asynchronously: KECS answers from this very process
    const { stdout: out } = await promisify(execFile)('python3', ['-c', script], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: '/nonexistent',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        // http://169.254.170.2 on this cluster is KECS's API port
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${t.endpoint}${relative}`,
        AWS_ENDPOINT_URL: (await sh(t, id, 'echo $AWS_ENDPOINT_URL')).trim(),
      },
      encoding: 'utf8',
    })
    const got = JSON.parse(out) as { method: string; key: string; token: string; arn: string }
    expect(got.method).toBe('container-role')
    expect(got.key).toMatch(/^ASIA[A-Z2-7]{16}$/)
    // the session token names the role (what STS GetCallerIdentity decodes)
    expect(roleArnOfSessionToken(got.token)).toBe(ROLE)
    // and KECS's STS names the role, with the task as the session, as AWS does
    expect(got.arn).toBe(`arn:aws:sts::000000000000:assumed-role/${ROLE.slice(ROLE.lastIndexOf('/') + 1)}/${id}`)
  })
})

describe('kecs start --no-inject-endpoint', () => {
  let t: ClusterInstance
  beforeAll(async () => {
    t = await startClusterInstance({ speed: 10, injectEndpoint: false })
    await setup(t)
  })
  afterAll(async () => {
    await t?.stopAll()
  })

  it('containers get no AWS_ENDPOINT_URL, still the ECS one', async () => {
    const id = await running(t, 'role')
    expect(await sh(t, id, 'echo "[$AWS_ENDPOINT_URL]" $AWS_ENDPOINT_URL_ECS')).toBe(`[] ${t.endpoint}\n`)
  })
})
