import { describe, expect, it } from 'vitest'
import type { V1DaemonSet, V1Deployment } from '@kubernetes/client-node'
import { containerNameHash } from '../../src/ecs/tasks/container-ids.js'
import { serviceToWorkload, type ServiceToWorkloadInput, type ServiceToWorkloadResult } from '../../src/kube/convert/service.js'
import { taskToPod } from '../../src/kube/convert/pod.js'
import { clusterToNamespace } from '../../src/kube/convert/namespace.js'
import { ctx, expectGolden, TASK_ID, taskDef } from './convert-golden.js'

const DEPLOYMENT = 'ecs-svc/1234567890123456789'

const webDef = taskDef(
  {
    memory: 256,
    portMappings: [
      { containerPort: 80, hostPort: 80, protocol: 'tcp', name: 'http', appProtocol: 'http' },
      { containerPort: 9000, protocol: 'tcp', appProtocol: 'grpc' },
    ],
    healthCheck: { command: ['CMD-SHELL', 'curl -f localhost'], startPeriod: 20 },
    environment: [{ name: 'MODE', value: 'web' }],
  },
  { taskRoleArn: 'arn:aws:iam::000000000000:role/web' },
  [{ name: 'log', image: 'fluent-bit', essential: false, memory: 64, healthCheck: { command: ['CMD', 'true'] } }],
)

const convert = (over: Partial<ServiceToWorkloadInput> & { service: ServiceToWorkloadInput['service'] }) =>
  serviceToWorkload({ ...ctx, taskDefinition: webDef, deploymentId: DEPLOYMENT, ...over })

interface Row {
  name: string
  input: Partial<ServiceToWorkloadInput> & { service: ServiceToWorkloadInput['service'] }
  check: (r: ServiceToWorkloadResult) => void
}

const rows: Row[] = [
  {
    name: 'replica-defaults',
    input: { service: { serviceName: 'web', desiredCount: 3, serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/default/web' } },
    check: ({ workload, service, ignored }) => {
      const d = workload as V1Deployment
      expect(d.kind).toBe('Deployment')
      expect(d.metadata).toMatchObject({
        name: 'web',
        namespace: 'kecs-default',
        labels: { 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cluster': 'default', 'kecs.dev/service': 'web' },
        annotations: { 'kecs.dev/service-arn': 'arn:aws:ecs:us-east-1:000000000000:service/default/web', 'kecs.dev/deployment-id': DEPLOYMENT },
      })
      expect(d.spec!.replicas).toBe(3)
      expect(d.spec!.selector).toEqual({ matchLabels: { 'kecs.dev/managed-by': 'kecs', 'kecs.dev/cluster': 'default', 'kecs.dev/service': 'web' } })
      // ECS defaults 200 / 100 → surge 100%, unavailable 0%.
      expect(d.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: '0%' } })
      const t = d.spec!.template
      expect(t.metadata!.labels).toMatchObject({ 'kecs.dev/service': 'web', 'kecs.dev/task-definition': 'web.3', 'kecs.dev/deployment': 'ecs-svc.1234567890123456789' })
      expect(t.metadata!.labels!['kecs.dev/task-id']).toBeUndefined()
      expect(t.metadata!.annotations).toMatchObject({
        'kecs.dev/deployment-id': DEPLOYMENT,
        'kecs.dev/started-by': DEPLOYMENT,
        'kecs.dev/group': 'service:web',
        'kecs.dev/task-definition': 'web:3',
      })
      expect(t.metadata!.annotations!['kecs.dev/task-arn']).toBeUndefined()
      expect(t.spec!.restartPolicy).toBe('Always')
      expect(service!.spec).toEqual({
        type: 'ClusterIP',
        selector: d.spec!.selector!.matchLabels,
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 80, appProtocol: 'http' },
          { name: 'tcp-9000', protocol: 'TCP', port: 9000, targetPort: 9000, appProtocol: 'grpc' },
        ],
      })
      expect(service!.metadata!.name).toBe('web')
      expect(ignored).toEqual([])
    },
  },
  {
    name: 'downward-api-env',
    input: { service: { serviceName: 'web', desiredCount: 1 } },
    check: ({ workload }) => {
      const app = (workload as V1Deployment).spec!.template.spec!.containers[0]!
      const hash = containerNameHash('app')
      expect(app.env!.slice(0, 4)).toEqual([
        { name: 'KECS_TASK_ID', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.uid' } } },
        { name: 'ECS_CONTAINER_METADATA_URI_V4', value: `http://kecs.example:8090/v4/$(KECS_TASK_ID)-${hash}` },
        { name: 'ECS_CONTAINER_METADATA_URI', value: `http://kecs.example:8090/v3/$(KECS_TASK_ID)-${hash}` },
        { name: 'ECS_AGENT_URI', value: `http://kecs.example:8090/api/$(KECS_TASK_ID)-${hash}` },
      ])
      expect(app.env!.find((e) => e.name === 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')).toEqual({
        name: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
        value: '/v2/credentials/$(KECS_TASK_ID)',
      })
    },
  },
  {
    name: 'liveness-for-essential',
    input: { service: { serviceName: 'web', desiredCount: 1 } },
    check: ({ workload }) => {
      const [app, log] = (workload as V1Deployment).spec!.template.spec!.containers
      expect(app!.livenessProbe).toEqual({ exec: { command: ['sh', '-c', 'curl -f localhost'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 20 })
      expect(app!.readinessProbe).toBeDefined()
      // ECS ignores the health of non-essential containers for replacing tasks.
      expect(log!.livenessProbe).toBeUndefined()
      expect(log!.readinessProbe).toBeDefined()
    },
  },
  {
    name: 'percentages',
    input: { service: { serviceName: 'web', desiredCount: 4, deploymentConfiguration: { maximumPercent: 150, minimumHealthyPercent: 50 } } },
    check: ({ workload }) => {
      expect((workload as V1Deployment).spec!.strategy!.rollingUpdate).toEqual({ maxSurge: '50%', maxUnavailable: '50%' })
    },
  },
  {
    name: 'percentages-all-zero',
    input: { service: { serviceName: 'web', desiredCount: 2, deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 100 } } },
    check: ({ workload, ignored }) => {
      expect((workload as V1Deployment).spec!.strategy!.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: '0%' })
      expect(ignored).toEqual([{ field: 'deploymentConfiguration.maximumPercent', reason: expect.stringContaining('1 extra task') }])
    },
  },
  {
    name: 'daemon',
    input: { service: { serviceName: 'agent', schedulingStrategy: 'DAEMON' } },
    check: ({ workload }) => {
      const ds = workload as V1DaemonSet
      expect(ds.kind).toBe('DaemonSet')
      expect(ds.metadata!.name).toBe('agent')
      expect((ds.spec as unknown as Record<string, unknown>).replicas).toBeUndefined()
      // ECS DAEMON defaults 100 / 0.
      expect(ds.spec!.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: '100%' } })
      expect(ds.spec!.template.spec!.restartPolicy).toBe('Always')
      expect(ds.spec!.template.metadata!.annotations!['kecs.dev/group']).toBe('service:agent')
    },
  },
  {
    name: 'no-ports-no-service',
    input: { service: { serviceName: 'worker', desiredCount: 1 }, taskDefinition: taskDef({ memory: 256 }) },
    check: ({ service }) => {
      expect(service).toBeUndefined()
    },
  },
  {
    name: 'sanitised-name',
    input: { service: { serviceName: '1st_Web_Service', desiredCount: 1 }, clusterName: 'My_Cluster' },
    check: ({ workload, service }) => {
      const name = workload.metadata!.name!
      expect(name).toMatch(/^[a-z][-a-z0-9]{0,62}$/)
      expect(name).toMatch(/-[0-9a-f]{6}$/)
      expect(service!.metadata!.name).toBe(name)
      expect(workload.metadata!.namespace).toMatch(/^kecs-my-cluster-[0-9a-f]{6}$/)
      expect(workload.metadata!.annotations!['kecs.dev/service-name']).toBe('1st_Web_Service')
      expect(workload.metadata!.labels!['kecs.dev/service']).toBe('1st_Web_Service')
    },
  },
  {
    name: 'ignored-service-settings',
    input: {
      service: {
        serviceName: 'web',
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: 'arn:tg', containerName: 'app', containerPort: 80 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
        placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
        deploymentController: { type: 'CODE_DEPLOY' },
      },
    },
    check: ({ ignored }) => {
      expect(ignored.map((i) => i.field)).toEqual(['loadBalancers', 'placementStrategy', 'networkConfiguration.awsvpcConfiguration', 'deploymentController.type'])
    },
  },
]

describe('serviceToWorkload: one row per mapping', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (name, row) => {
    const result = convert(row.input)
    row.check(result)
    expectGolden(`service/${name}`, result)
  })
})

describe('serviceToWorkload: namespace', () => {
  it("a service of another region's cluster of the same name goes to that cluster's own namespace", () => {
    const arn = 'arn:aws:ecs:eu-west-1:000000000000:cluster/default'
    const out = convert({ service: { serviceName: 'web', desiredCount: 1 }, region: 'eu-west-1', clusterArn: arn })
    const ns = clusterToNamespace('default', arn).metadata!.name
    expect(ns).toMatch(/^kecs-default-[0-9a-f]{6}$/)
    expect(out.workload.metadata!.namespace).toBe(ns)
    expect(out.service!.metadata!.namespace).toBe(ns)
  })
})

describe('serviceToWorkload: templates', () => {
  it('a new ECS deployment changes the pod template; the selector stays', () => {
    const a = convert({ service: { serviceName: 'web', desiredCount: 1 } }).workload as V1Deployment
    const b = convert({ service: { serviceName: 'web', desiredCount: 1 }, deploymentId: 'ecs-svc/999' }).workload as V1Deployment
    expect(a.spec!.template).not.toEqual(b.spec!.template)
    expect(a.spec!.selector).toEqual(b.spec!.selector)
  })

  it('shares the pod spec with taskToPod except restartPolicy, task ids and liveness', () => {
    const tpl = (convert({ service: { serviceName: 'web', desiredCount: 1 } }).workload as V1Deployment).spec!.template.spec!
    const pod = taskToPod({ ...ctx, taskDefinition: webDef, taskId: TASK_ID, taskArn: 'arn:task' }).pod.spec!
    const strip = (spec: typeof pod) => ({
      ...spec,
      restartPolicy: undefined,
      containers: spec.containers.map((c) => ({ ...c, env: c.env?.map((e) => e.name), livenessProbe: undefined })),
    })
    expect(strip(tpl)).toEqual(strip(pod))
  })
})
