import type { V1Deployment } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { daemonArn, newDaemonDeploymentId, newDaemonRevisionId, parseDaemonArn } from '../../src/ecs/daemons/arns.js'
import { runnable, type DaemonTaskDefinitionDoc } from '../../src/ecs/daemons/task-definitions.js'
import { serviceToWorkload } from '../../src/kube/convert/service.js'
import { ctx, taskDef } from './convert-golden.js'

const scope = { account: '000000000000', region: 'us-east-1' }

describe('daemon ARNs', () => {
  it('ids have ECS’s shapes: 16 letters and digits, 19 digits', () => {
    for (let i = 0; i < 50; i++) {
      expect(newDaemonDeploymentId()).toMatch(/^[A-Za-z0-9]{16}$/)
      expect(newDaemonRevisionId()).toMatch(/^[1-9]\d{18}$/)
    }
  })

  it('parses daemon, deployment and revision ARNs of this scope only', () => {
    expect(daemonArn(scope, 'c', 'd')).toBe('arn:aws:ecs:us-east-1:000000000000:daemon/c/d')
    expect(parseDaemonArn(scope, daemonArn(scope, 'c', 'd'), 'daemon')).toEqual({ cluster: 'c', name: 'd' })
    const dep = 'arn:aws:ecs:us-east-1:000000000000:daemon-deployment/c/d/aB1cD2eF3gH4iJ5k'
    expect(parseDaemonArn(scope, dep, 'daemon-deployment')).toEqual({ cluster: 'c', name: 'd', id: 'aB1cD2eF3gH4iJ5k' })
    expect(parseDaemonArn(scope, dep, 'daemon')).toBeUndefined()
    expect(parseDaemonArn({ ...scope, region: 'eu-west-1' }, daemonArn(scope, 'c', 'd'), 'daemon')).toBeUndefined()
  })
})

describe('a daemon task definition as the converters run it', () => {
  const doc: DaemonTaskDefinitionDoc = {
    daemonTaskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:daemon-task-definition/agent:3',
    family: 'agent',
    revision: 3,
    status: 'ACTIVE',
    cpu: '128',
    containerDefinitions: [{ name: 'agent', image: 'busybox', essential: true, mountPoints: [], environment: [], secrets: [] }],
    volumes: [{ name: 'logs', host: { sourcePath: '/var/log' } }],
  }

  it('keeps the daemon task definition’s ARN, its containers with ECS defaults, host volumes', () => {
    const td = runnable({ tags: { get: () => undefined } } as never, doc)
    expect(td).toMatchObject({ taskDefinitionArn: doc.daemonTaskDefinitionArn, family: 'agent', revision: 3, cpu: '128', status: 'ACTIVE' })
    expect(td.containerDefinitions![0]).toMatchObject({ name: 'agent', cpu: 0, portMappings: [], volumesFrom: [] })
    expect(td.containerDefinitions![0]!.dockerLabels).toBeUndefined()
    expect(td.volumes).toEqual([{ name: 'logs', host: { sourcePath: '/var/log' } }])
  })
})

describe('Express endpoint host ports', () => {
  it('replace the task definition’s host port of the primary container in the pod template', () => {
    const td = taskDef({ name: 'main', portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'http' }] }, { networkMode: 'awsvpc' })
    const out = serviceToWorkload({ ...ctx, taskDefinition: td, deploymentId: 'ecs-svc/1', service: { serviceName: 'hello', desiredCount: 1 }, hostPorts: { 'main:8080': 40000 } })
    const a = (out.workload as V1Deployment).spec!.template.metadata!.annotations!
    expect(JSON.parse(a['kecs.dev/host-ports']!)).toEqual([{ container: 'main', containerPort: 8080, hostPort: 40000, protocol: 'tcp' }])
  })
})
