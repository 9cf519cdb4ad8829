import { PassThrough, Writable } from 'node:stream'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs'
import { Exec } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResolvedCredentials, ResolvedValue, SecretResolver } from '../../src/kube/secret-resolver.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * Task secrets on the emulated cluster with a fake resolver standing in for SSM and Secrets Manager:
 * values are resolved when the task starts and reach the container (printed by the simulated shell
 * through the exec API), an unresolvable one stops the task as Fargate does, a changed value reaches
 * a new task but not the running one, and the task's Secrets go with its pod.
 */
const CLUSTER = 'secrets-it'
const NS = `kecs-${CLUSTER}`
const ACCOUNT = '000000000000'
const SM = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-AbCdEf`

/** What the fake stores: SSM names and Secrets Manager ARNs → value (a JSON key is looked up in the JSON). */
const store = new Map<string, string>([
  ['/app/db/user', 'admin'],
  [SM, JSON.stringify({ password: 's3cr3t p@ss', port: 5432 })],
  [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:reg-XyZ123`, JSON.stringify({ username: 'robot', password: 'hunter2' })],
])
const calls: string[] = []

const fake: SecretResolver = {
  async valueFrom(scope, ref): Promise<ResolvedValue> {
    calls.push(`${scope.account}/${scope.region} ${ref}`)
    const m = /^(arn:aws:secretsmanager:[^:]+:\d+:secret:[^:]+)(?::([^:]*):([^:]*):([^:]*))?$/.exec(ref)
    if (m) {
      const raw = store.get(m[1]!)
      if (raw === undefined) return { ok: false, reason: `failed to fetch secret ${m[1]} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.` }
      return m[2] ? { ok: true, value: String(JSON.parse(raw)[m[2]]) } : { ok: true, value: raw }
    }
    const v = store.get(ref)
    return v === undefined ? { ok: false, reason: `invalid ssm parameters: ${ref}` } : { ok: true, value: v }
  },
  async repositoryCredentials(_scope, ref): Promise<ResolvedCredentials> {
    const raw = store.get(ref)
    if (raw === undefined) return { ok: false, reason: `asm fetching secret from the service for ${ref}: ResourceNotFoundException` }
    const j = JSON.parse(raw)
    return { ok: true, username: j.username, password: j.password }
  },
}

let t: ClusterInstance

beforeAll(async () => {
  t = await startClusterInstance({ speed: 10, secretResolver: fake })
  await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [
        {
          name: 'app',
          image: 'busybox:1.36',
          memory: 64,
          command: ['sleep', '3600'],
          secrets: [
            { name: 'DB_USER', valueFrom: '/app/db/user' },
            { name: 'DB_PASSWORD', valueFrom: `${SM}:password::` },
            { name: 'DB_PORT', valueFrom: `${SM}:port::` },
          ],
        },
      ],
    }),
  )
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'missing',
      containerDefinitions: [
        { name: 'app', image: 'busybox:1.36', memory: 64, secrets: [{ name: 'TOKEN', valueFrom: '/app/not-there' }] },
      ],
    }),
  )
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'missing-asm',
      containerDefinitions: [
        { name: 'app', image: 'busybox:1.36', memory: 64, secrets: [{ name: 'TOKEN', valueFrom: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:gone-QwErTy` }] },
      ],
    }),
  )
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'private',
      containerDefinitions: [
        {
          name: 'app',
          image: 'registry.example.com/team/app:1',
          memory: 64,
          command: ['sleep', '3600'],
          repositoryCredentials: { credentialsParameter: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:reg-XyZ123` },
        },
      ],
    }),
  )
})
afterAll(async () => {
  await t?.stopAll()
})

async function describe1(arn: string): Promise<Task> {
  return (await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!
}

async function runningTask(family: string): Promise<{ arn: string; id: string }> {
  const r = await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family }))
  const arn = r.tasks![0]!.taskArn!
  await eventually(async () => (await describe1(arn)).lastStatus === 'RUNNING', `${family} RUNNING`)
  return { arn, id: arn.split('/').pop()! }
}

/** What the container prints for a shell command, through the Kubernetes exec API. */
async function sh(pod: string, script: string): Promise<string> {
  let out = ''
  const stdout = new Writable({ write: (c, _e, done) => ((out += c), done()) })
  await new Promise<void>((resolve) => {
    void new Exec(t.emu.kc).exec(NS, pod, 'app', ['sh', '-c', script], stdout, new PassThrough(), null, false).then((ws) => ws.on('close', () => resolve()))
  })
  return out
}

describe('secrets[].valueFrom on the emulated cluster', () => {
  it('an SSM parameter and Secrets Manager JSON keys reach the container, from a Secret owned by the pod', async () => {
    const { id } = await runningTask('app')
    expect(await sh(id, 'echo "$DB_USER|$DB_PASSWORD|$DB_PORT"')).toBe('admin|s3cr3t p@ss|5432\n')
    expect(calls).toContain(`${ACCOUNT}/us-east-1 /app/db/user`)

    const secret = await t.core.readNamespacedSecret({ namespace: NS, name: `kecs-secrets-${id}` })
    const pod = await t.kube.client.getPod(NS, id)
    expect(secret.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: id, uid: pod!.metadata!.uid })])
    expect(secret.metadata!.labels).toMatchObject({ 'kecs.dev/managed-by': 'kecs', 'kecs.dev/secret-owner': id })
    expect(Object.values(JSON.parse(secret.metadata!.annotations!['kecs.dev/value-from']!))).toEqual(['/app/db/user', `${SM}:password::`, `${SM}:port::`])
  })

  it('a changed value reaches a new task, not the running one; a task\'s Secret goes with its pod', async () => {
    const first = await runningTask('app')
    store.set('/app/db/user', 'rotated')
    const second = await runningTask('app')
    expect(await sh(second.id, 'echo $DB_USER')).toBe('rotated\n')
    expect(await sh(first.id, 'echo $DB_USER')).toBe('admin\n')
    store.set('/app/db/user', 'admin')

    await t.call('StopTask', { cluster: CLUSTER, task: first.arn })
    await eventually(async () => (await describe1(first.arn)).lastStatus === 'STOPPED', 'first STOPPED')
    await eventually(async () => {
      const list = await t.core.listNamespacedSecret({ namespace: NS, labelSelector: `kecs.dev/secret-owner=${first.id}` })
      return list.items.length === 0
    }, "the stopped task's Secret deleted")
    // the other task's Secret stays
    expect((await t.core.readNamespacedSecret({ namespace: NS, name: `kecs-secrets-${second.id}` })).metadata!.name).toBeDefined()
  })

  it('an SSM parameter that does not exist stops the task with TaskFailedToStart, before any pod', async () => {
    const r = await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'missing' }))
    const arn = r.tasks![0]!.taskArn!
    const stopped = await eventually(async () => {
      const d = await describe1(arn)
      return d.lastStatus === 'STOPPED' && d
    }, 'STOPPED')
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toBe(
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: invalid ssm parameters: /app/not-there',
    )
    expect(await t.kube.client.getPod(NS, arn.split('/').pop()!)).toBeUndefined()
  })

  it('a Secrets Manager secret that does not exist: the asm wording', async () => {
    const r = await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'missing-asm' }))
    const arn = r.tasks![0]!.taskArn!
    const stopped = await eventually(async () => {
      const d = await describe1(arn)
      return d.lastStatus === 'STOPPED' && d
    }, 'STOPPED')
    expect(stopped.stopCode).toBe('TaskFailedToStart')
    expect(stopped.stoppedReason).toMatch(
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to fetch secret arn:aws:secretsmanager:us-east-1:000000000000:secret:gone-QwErTy from secrets manager: ResourceNotFoundException/,
    )
  })

  it('repositoryCredentials become the pod\'s docker-registry pull secret with the login', async () => {
    const r = await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'private' }))
    const id = r.tasks![0]!.taskArn!.split('/').pop()!
    const pod = await eventually(() => t.kube.client.getPod(NS, id), 'pod')
    const name = pod.spec!.imagePullSecrets![0]!.name!
    expect(name).toMatch(new RegExp(`^kecs-regcred-${id}-[0-9a-f]{8}$`))
    const secret = await t.core.readNamespacedSecret({ namespace: NS, name })
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson')
    const config = JSON.parse(Buffer.from(secret.data!['.dockerconfigjson']!, 'base64').toString())
    expect(config).toEqual({
      auths: { 'registry.example.com': { username: 'robot', password: 'hunter2', auth: Buffer.from('robot:hunter2').toString('base64') } },
    })
  })

  it("a service's pods read the values resolved when its Deployment is applied", async () => {
    await t.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'web', taskDefinition: 'app', desiredCount: 1 }))
    const arn = await eventually(async () => {
      const list = await t.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'web' }))
      const a = list.taskArns?.[0]
      return a && (await describe1(a)).lastStatus === 'RUNNING' && a
    }, 'service task RUNNING')
    const task = await describe1(arn)
    const pod = await eventually(async () => {
      const { items } = await t.kube.client.listPods({ namespace: NS, labelSelector: 'kecs.dev/service=web' })
      return items.find((p) => p.status?.phase === 'Running' && (task.taskArn ?? '').endsWith(p.metadata!.uid!.replaceAll('-', '')))
    }, 'the service pod')
    expect(await sh(pod.metadata!.name!, 'echo "$DB_USER|$DB_PASSWORD"')).toBe('admin|s3cr3t p@ss\n')
    const secret = await t.core.readNamespacedSecret({ namespace: NS, name: 'kecs-secrets-web' })
    expect(secret.metadata!.labels!['kecs.dev/secret-owner']).toBe('web')
  })

  it("a service whose secret cannot be read gets no Deployment until it can; its events say why", async () => {
    await t.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'late', taskDefinition: 'missing', desiredCount: 1 }))
    const reason =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: invalid ssm parameters: /app/not-there'
    await eventually(async () => {
      const svc = (await t.call('DescribeServices', { cluster: CLUSTER, services: ['late'] })).body as any
      return svc.services[0].events.some((e: any) => e.message === `(service late) was unable to place a task. Reason: ${reason}`)
    }, 'the service event')
    expect(await t.kube.client.getWorkload('Deployment', NS, 'late')).toBeUndefined()
    // once the parameter exists, the retried apply makes the Deployment
    store.set('/app/not-there', 'here now')
    await eventually(() => t.kube.client.getWorkload('Deployment', NS, 'late'), 'the Deployment', 60_000)
    store.delete('/app/not-there')
  })
})
