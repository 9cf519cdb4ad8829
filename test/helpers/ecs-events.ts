import type { EcsEvent } from '../../src/events/bus.js'

/** Fixed ECS events (docs/ecs-facts.md#events) for filter, formatter and feed tests. */
export const ACCOUNT = '000000000000'
export const REGION = 'us-east-1'
const arn = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`

export const TASK_ID = '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6'
export const clusterArn = (c = 'default') => arn(`cluster/${c}`)
export const taskArn = (c = 'default', id = TASK_ID) => arn(`task/${c}/${id}`)
export const serviceArn = (c = 'default', s = 'web') => arn(`service/${c}/${s}`)

let seq = 0
const envelope = (detailType: string, resources: string[], detail: Record<string, unknown>, time: string): EcsEvent => ({
  version: '0',
  id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  'detail-type': detailType,
  source: 'aws.ecs',
  account: ACCOUNT,
  time,
  region: REGION,
  resources,
  detail,
})

export function taskEvent(
  o: {
    cluster?: string
    id?: string
    service?: string
    family?: string
    lastStatus?: string
    desiredStatus?: string
    containers?: Record<string, unknown>[]
    stopCode?: string
    stoppedReason?: string
    time?: string
  } = {},
): EcsEvent {
  const cluster = o.cluster ?? 'default'
  const family = o.family ?? 'web'
  const t = taskArn(cluster, o.id ?? TASK_ID)
  return envelope(
    'ECS Task State Change',
    [t],
    {
      clusterArn: clusterArn(cluster),
      taskArn: t,
      taskDefinitionArn: arn(`task-definition/${family}:3`),
      group: o.service ? `service:${o.service}` : `family:${family}`,
      ...(o.service ? { startedBy: 'ecs-svc/1234567890123456789' } : {}),
      launchType: 'FARGATE',
      lastStatus: o.lastStatus ?? 'RUNNING',
      desiredStatus: o.desiredStatus ?? 'RUNNING',
      containers: o.containers ?? [{ name: 'app', lastStatus: o.lastStatus ?? 'RUNNING', taskArn: t }],
      ...(o.stopCode ? { stopCode: o.stopCode } : {}),
      ...(o.stoppedReason ? { stoppedReason: o.stoppedReason } : {}),
      version: 3,
    },
    o.time ?? '2024-05-01T12:01:03Z',
  )
}

export function serviceAction(o: { cluster?: string; service?: string; eventName?: string; eventType?: string; reason?: string; time?: string } = {}): EcsEvent {
  const cluster = o.cluster ?? 'default'
  return envelope(
    'ECS Service Action',
    [serviceArn(cluster, o.service ?? 'web')],
    {
      eventType: o.eventType ?? 'INFO',
      eventName: o.eventName ?? 'SERVICE_STEADY_STATE',
      clusterArn: clusterArn(cluster),
      createdAt: '2024-05-01T12:01:09.123Z',
      ...(o.reason ? { reason: o.reason } : {}),
    },
    o.time ?? '2024-05-01T12:01:09Z',
  )
}

export function deploymentEvent(o: { cluster?: string; service?: string; eventName?: string; eventType?: string; reason?: string; id?: string } = {}): EcsEvent {
  const cluster = o.cluster ?? 'default'
  const id = o.id ?? 'ecs-svc/123'
  const name = o.eventName ?? 'SERVICE_DEPLOYMENT_COMPLETED'
  return envelope(
    'ECS Deployment State Change',
    [serviceArn(cluster, o.service ?? 'web')],
    {
      eventType: o.eventType ?? (name.endsWith('FAILED') ? 'ERROR' : 'INFO'),
      eventName: name,
      clusterArn: clusterArn(cluster),
      deploymentId: id,
      updatedAt: '2024-05-01T12:01:09Z',
      reason: o.reason ?? `ECS deployment ${id} completed.`,
    },
    '2024-05-01T12:01:09Z',
  )
}

export function instanceEvent(o: { cluster?: string; status?: string } = {}): EcsEvent {
  const cluster = o.cluster ?? 'default'
  const ci = arn(`container-instance/${cluster}/abcdef0123456789abcdef0123456789`)
  return envelope(
    'ECS Container Instance State Change',
    [ci],
    { clusterArn: clusterArn(cluster), containerInstanceArn: ci, status: o.status ?? 'ACTIVE', agentConnected: true, runningTasksCount: 2, pendingTasksCount: 0, version: 4 },
    '2024-05-01T12:00:00Z',
  )
}

/** What bus.publish takes, from one of the events above (the bus gives it a new id and time). */
export const publishable = (e: EcsEvent) => ({ detailType: e['detail-type'], account: e.account, region: e.region, resources: e.resources, detail: e.detail })
