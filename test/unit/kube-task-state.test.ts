import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { buildTask } from '../../src/ecs/tasks/build-task.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import type { TaskDefinitionDoc } from '../../src/ecs/task-definitions/task-definition-doc.js'
import { taskStateFromPod } from '../../src/kube/task-state.js'

/** One pod fixture per row of the status table (docs/ecs-on-kubernetes.md#pod-status-to-task-status). */

const T0 = Date.parse('2025-01-01T00:00:00.000Z')
const iso = (s: number) => new Date(T0 + s * 1000).toISOString()
const TASK_ID = '0123456789abcdef0123456789abcdef'

const td: TaskDefinitionDoc = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
  family: 'web',
  revision: 1,
  status: 'ACTIVE',
  networkMode: 'awsvpc',
  compatibilities: ['EC2', 'FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    { name: 'app', image: 'nginx:1', essential: true, portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }] },
    { name: 'side', image: 'busybox', essential: false },
  ],
}

function freshTask(over: Partial<TaskDoc> = {}): TaskDoc {
  let n = 0
  const t = buildTask({
    scope: { account: '000000000000', region: 'us-east-1' },
    clusterName: 'c1',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c1',
    taskDefinition: td,
    taskId: TASK_ID,
    nowMs: T0,
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
    uuid: () => `uuid-${++n}`,
  })
  t.kecs.namespace = 'kecs-c1'
  t.kecs.podName = TASK_ID
  return { ...t, ...over }
}

const running = (name: string, startedAt = 2, ready = true): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: 'docker.io/library/nginx@sha256:abc123',
  ready,
  restartCount: 0,
  started: true,
  containerID: `containerd://${name}`,
  state: { running: { startedAt: iso(startedAt) as unknown as Date } },
})
const waiting = (name: string, reason: string, message?: string): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason, message } },
})
const terminated = (name: string, exitCode: number, finishedAt = 5, reason = exitCode ? 'Error' : 'Completed'): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, reason, startedAt: iso(2) as unknown as Date, finishedAt: iso(finishedAt) as unknown as Date } },
})

function pod(o: {
  scheduled?: boolean
  phase?: string
  podIP?: string
  deleting?: boolean
  statuses?: V1ContainerStatus[]
  init?: V1ContainerStatus[]
  initSpec?: { name: string; restartPolicy?: string }[]
  probed?: string[]
}): V1Pod {
  return {
    metadata: {
      name: TASK_ID,
      namespace: 'kecs-c1',
      annotations: {
        'kecs.dev/essential-containers': 'app',
        'kecs.dev/host-ports': JSON.stringify([{ container: 'app', containerPort: 80, hostPort: 80, protocol: 'tcp' }]),
      },
      ...(o.deleting ? { deletionTimestamp: iso(10) as unknown as Date } : {}),
    },
    spec: {
      nodeName: o.scheduled === false ? undefined : 'kecs-node',
      initContainers: o.initSpec?.map((c) => ({ name: c.name, image: 'x', restartPolicy: c.restartPolicy })),
      containers: ['app', 'side'].map((name) => ({
        name,
        image: 'x',
        ...(o.probed?.includes(name) ? { readinessProbe: { exec: { command: ['true'] } } } : {}),
      })),
    },
    status: {
      phase: o.phase ?? 'Pending',
      podIP: o.podIP,
      conditions: o.scheduled === false ? [] : [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(1) as unknown as Date }],
      containerStatuses: o.statuses,
      initContainerStatuses: o.init,
    },
  }
}

const map = (p: V1Pod | undefined, task = freshTask(), extra: { gone?: boolean; nowS?: number } = {}) =>
  taskStateFromPod({ pod: p, gone: extra.gone ?? false, task, nowMs: T0 + (extra.nowS ?? 3) * 1000 })

describe('taskStateFromPod: the status table', () => {
  it('created, not scheduled → PROVISIONING', () => {
    const t = map(pod({ scheduled: false }))
    expect(t.lastStatus).toBe('PROVISIONING')
    expect(t.desiredStatus).toBe('RUNNING')
    expect(t.pullStartedAt).toBeUndefined()
    expect(t.containers!.map((c) => c.lastStatus)).toEqual(['PENDING', 'PENDING'])
  })

  it('scheduled, containers creating → PENDING, pull started at scheduling', () => {
    const t = map(pod({ statuses: [waiting('app', 'ContainerCreating'), waiting('side', 'ContainerCreating')] }))
    expect(t.lastStatus).toBe('PENDING')
    expect(t.pullStartedAt).toBe((T0 + 1000) / 1000)
    expect(t.pullStoppedAt).toBeUndefined()
  })

  it('init containers started → ACTIVATING', () => {
    const t = map(
      pod({
        initSpec: [{ name: 'side', restartPolicy: 'Always' }],
        init: [running('side')],
        statuses: [waiting('app', 'PodInitializing')],
      }),
    )
    expect(t.lastStatus).toBe('ACTIVATING')
    expect(t.containers!.find((c) => c.name === 'side')!.lastStatus).toBe('RUNNING')
  })

  it('every essential container running → RUNNING with startedAt, runtimeId, bindings, ENI attached', () => {
    // Observed 8s late (e.g. after a restart): the pod's own times are used.
    const t = map(pod({ phase: 'Running', podIP: '10.244.0.7', statuses: [running('app', 2), waiting('side', 'ContainerCreating')] }), freshTask(), {
      nowS: 10,
    })
    expect(t.lastStatus).toBe('RUNNING')
    expect(t.startedAt).toBe((T0 + 2000) / 1000)
    expect(t.pullStoppedAt).toBe((T0 + 2000) / 1000)
    expect(t.connectivity).toBe('CONNECTED')
    const app = t.containers!.find((c) => c.name === 'app')!
    expect(app.lastStatus).toBe('RUNNING')
    expect(app.runtimeId).toMatch(new RegExp(`^${TASK_ID}-\\d{10}$`))
    expect(app.imageDigest).toBe('sha256:abc123')
    expect(app.networkBindings).toEqual([{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 80, protocol: 'tcp' }])
    expect(app.networkInterfaces).toEqual([{ attachmentId: 'uuid-3', privateIpv4Address: '10.244.0.7' }])
    const eni = t.attachments![0]!
    expect(eni.status).toBe('ATTACHED')
    expect(eni.details).toContainEqual({ name: 'privateIPv4Address', value: '10.244.0.7' })
    expect(eni.details).toContainEqual({ name: 'subnetId', value: 'subnet-1' })
    expect(t.healthStatus).toBe('UNKNOWN')
  })

  it('watching live, times are when KECS saw the change (Kubernetes times have second precision)', () => {
    const t = map(pod({ phase: 'Running', statuses: [running('app', 2), running('side', 2)] }), freshTask(), { nowS: 2.4 })
    expect(t.startedAt).toBe((T0 + 2400) / 1000)
    // never before the task was created
    const late = map(pod({ phase: 'Running', statuses: [running('app', -5), running('side', -5)] }), freshTask(), { nowS: 30 })
    expect(late.startedAt).toBe(T0 / 1000)
  })

  it('health follows readiness: UNKNOWN before the first success, HEALTHY, then UNHEALTHY', () => {
    const unknown = map(pod({ phase: 'Running', probed: ['app'], statuses: [running('app', 2, false), running('side')] }))
    expect(unknown.lastStatus).toBe('RUNNING') // health does not gate RUNNING, as in ECS
    expect(unknown.healthStatus).toBe('UNKNOWN')
    const healthy = map(pod({ phase: 'Running', probed: ['app'], statuses: [running('app', 2, true), running('side')] }), unknown)
    expect(healthy.healthStatus).toBe('HEALTHY')
    expect(healthy.containers![0]!.healthStatus).toBe('HEALTHY')
    const unhealthy = map(pod({ phase: 'Running', probed: ['app'], statuses: [running('app', 2, false), running('side')] }), healthy)
    expect(unhealthy.healthStatus).toBe('UNHEALTHY')
  })

  it('a non-essential container exiting leaves the task RUNNING', () => {
    const t = map(pod({ phase: 'Running', statuses: [running('app'), terminated('side', 1)] }))
    expect(t.lastStatus).toBe('RUNNING')
    expect(t.desiredStatus).toBe('RUNNING')
    expect(t.containers!.find((c) => c.name === 'side')).toMatchObject({ lastStatus: 'STOPPED', exitCode: 1 })
  })

  it('an essential container exiting stops the task: EssentialContainerExited', () => {
    const before = map(pod({ phase: 'Running', statuses: [running('app'), running('side')] }))
    const t = map(pod({ phase: 'Running', statuses: [terminated('app', 3), running('side')] }), before, { nowS: 6 })
    expect(t.desiredStatus).toBe('STOPPED')
    expect(t.stopCode).toBe('EssentialContainerExited')
    expect(t.stoppedReason).toBe('Essential container in task exited')
    expect(t.stoppingAt).toBe((T0 + 6000) / 1000)
    expect(t.lastStatus).toBe('RUNNING') // until the pod is deleted
    expect(t.containers!.find((c) => c.name === 'app')).toMatchObject({ lastStatus: 'STOPPED', exitCode: 3 })
  })

  it('deletion asked, containers running → STOPPING; terminated → DEPROVISIONING', () => {
    const run = map(pod({ phase: 'Running', statuses: [running('app'), running('side')] }))
    const stopping = map(pod({ phase: 'Running', deleting: true, statuses: [running('app'), running('side')] }), {
      ...run,
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'bye',
    })
    expect(stopping.lastStatus).toBe('STOPPING')
    expect(stopping.stopCode).toBe('UserInitiated')
    const deprov = map(pod({ phase: 'Running', deleting: true, statuses: [terminated('app', 0, 7), terminated('side', 143, 8)] }), stopping, {
      nowS: 12,
    })
    expect(deprov.lastStatus).toBe('DEPROVISIONING')
    expect(deprov.executionStoppedAt).toBe((T0 + 8000) / 1000)
  })

  it('gone → STOPPED with every container stopped and the ENI deleted; the stop reason KECS asked for is kept', () => {
    const run = map(pod({ phase: 'Running', podIP: '10.244.0.7', statuses: [running('app'), running('side')] }))
    const last = pod({ phase: 'Running', deleting: true, statuses: [terminated('app', 0, 7), terminated('side', 0, 7)] })
    const t = map(last, { ...run, desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', stoppingAt: (T0 + 6000) / 1000 }, { gone: true, nowS: 9 })
    expect(t.lastStatus).toBe('STOPPED')
    expect(t.stopCode).toBe('UserInitiated')
    expect(t.stoppedAt).toBe((T0 + 9000) / 1000)
    expect(t.executionStoppedAt).toBe((T0 + 7000) / 1000)
    expect(t.containers!.every((c) => c.lastStatus === 'STOPPED')).toBe(true)
    expect(t.containers!.map((c) => c.exitCode)).toEqual([0, 0])
    expect(t.attachments![0]!.status).toBe('DELETED')
  })

  it('terminal pod (Succeeded) → STOPPED: EssentialContainerExited with the exit codes', () => {
    const t = map(pod({ phase: 'Succeeded', statuses: [terminated('app', 0), terminated('side', 0)] }))
    expect(t.lastStatus).toBe('STOPPED')
    expect(t.stopCode).toBe('EssentialContainerExited')
    expect(t.containers![0]!.exitCode).toBe(0)
  })

  it('image pull error → TaskFailedToStart with CannotPullContainerError', () => {
    const t = map(pod({ statuses: [waiting('app', 'ErrImagePull', 'failed to pull "nope"'), waiting('side', 'ContainerCreating')] }))
    expect(t.desiredStatus).toBe('STOPPED')
    expect(t.stopCode).toBe('TaskFailedToStart')
    expect(t.stoppedReason).toBe('CannotPullContainerError: failed to pull "nope"')
    expect(t.containers![0]!.reason).toBe('CannotPullContainerError: failed to pull "nope"')
    expect(t.pullStoppedAt).toBeDefined()
  })

  it('a pod deleted outside KECS → InfrastructureHealth unless a reason is given', () => {
    const run = map(pod({ phase: 'Running', statuses: [running('app'), running('side')] }))
    const t = map(pod({ phase: 'Running', deleting: true, statuses: [running('app'), running('side')] }), run)
    expect(t.stopCode).toBe('InfrastructureHealth')
    const lost = taskStateFromPod({
      pod: undefined,
      gone: true,
      task: run,
      nowMs: T0 + 9000,
      lost: { stopCode: 'InfrastructureHealth', stoppedReason: 'Task stopped because its pod was not found after a KECS restart' },
    })
    expect(lost.lastStatus).toBe('STOPPED')
    expect(lost.stoppedReason).toMatch(/after a KECS restart/)
  })

  it('never moves backwards and leaves a STOPPED task as it is', () => {
    const run = map(pod({ phase: 'Running', statuses: [running('app'), running('side')] }))
    expect(map(pod({ statuses: [waiting('app', 'ContainerCreating')] }), run).lastStatus).toBe('RUNNING')
    const stopped = map(undefined, run, { gone: true })
    expect(map(pod({ phase: 'Running', statuses: [running('app')] }), stopped)).toEqual(stopped)
  })
})

describe('taskStateFromPod: network bindings', () => {
  it('an awsvpc container that publishes no host port shows networkBindings: [] once running', () => {
    const t = map(pod({ phase: 'Running', podIP: '10.244.0.7', statuses: [running('app'), running('side')] }))
    expect(t.containers!.find((c) => c.name === 'side')!.networkBindings).toEqual([])
    expect(t.containers!.find((c) => c.name === 'app')!.networkBindings).toHaveLength(1)
    const pending = map(pod({ statuses: [waiting('app', 'ContainerCreating'), waiting('side', 'ContainerCreating')] }))
    expect(pending.containers!.find((c) => c.name === 'side')!.networkBindings).toBeUndefined()
  })
})
