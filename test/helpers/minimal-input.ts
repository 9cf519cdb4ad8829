import { operation, shape } from '../../src/ecs/model/index.js'

/**
 * A minimal valid input for an operation, built from the model: every required member, filled with
 * a realistic value (names of resources a test created beforehand: cluster `default`, task
 * definition `web:1`, service `web`), so handlers get past validation and do their real work.
 */
export function minimalInput(opName: string, known: Record<string, unknown> = {}): Record<string, unknown> {
  const op = operation(opName)
  if (!op?.input) return {}
  return build(op.input.shape, '', { ...REALISTIC, ...known }) as Record<string, unknown>
}

const ARN = 'arn:aws:ecs:us-east-1:000000000000'

/** Values by member name; members not named here get a generic value of their type. */
const REALISTIC = {
  cluster: 'default',
  clusterName: 'default',
  family: 'web',
  taskDefinition: 'web:1',
  taskDefinitions: ['web:1'],
  containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
  service: 'web',
  serviceName: 'web',
  services: ['web'],
  task: `${ARN}:task/default/0123456789abcdef0123456789abcdef`,
  tasks: [`${ARN}:task/default/0123456789abcdef0123456789abcdef`],
  taskSet: 'ecs-svc/1234567890123456789',
  primaryTaskSet: 'ecs-svc/1234567890123456789',
  containerInstance: `${ARN}:container-instance/default/0123456789abcdef0123456789abcdef`,
  containerInstances: [`${ARN}:container-instance/default/0123456789abcdef0123456789abcdef`],
  resourceArn: `${ARN}:cluster/default`,
  tagKeys: ['team'],
  capacityProviders: ['FARGATE'],
  capacityProvider: 'FARGATE',
  capacityProviderArns: [`${ARN}:capacity-provider/FARGATE`],
  image: 'nginx',
  command: '/bin/sh',
  interactive: true,
  protectionEnabled: true,
  value: 'enabled',
  namespace: 'default',
  daemonName: 'agent',
  daemonArn: `${ARN}:daemon/default/agent`,
  daemonTaskDefinition: 'agent:1',
  daemonTaskDefinitionArn: `${ARN}:daemon-task-definition/agent:1`,
  daemonDeploymentArns: [`${ARN}:daemon-deployment/default/agent/abc`],
  daemonRevisionArns: [`${ARN}:daemon-revision/default/agent/abc`],
  serviceArn: `${ARN}:service/default/web`,
  serviceDeploymentArn: `${ARN}:service-deployment/default/web/abc`,
  serviceDeploymentArns: [`${ARN}:service-deployment/default/web/abc`],
  serviceRevisionArns: [`${ARN}:service-revision/default/web/123`],
  attachmentArn: `${ARN}:attachment/0123`,
  gateway: 'gw',
  gatewayRouteArn: `${ARN}:gateway-route/gw/r`,
  infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRole',
  hookId: 'hook-1',
}

function build(shapeName: string, member: string, known: Record<string, unknown>): unknown {
  if (member && Object.hasOwn(known, member)) return known[member]
  const s = shape(shapeName)
  switch (s.type) {
    case 'structure': {
      const out: Record<string, unknown> = {}
      const required = s.union ? Object.keys(s.members ?? {}).slice(0, 1) : (s.required ?? [])
      for (const name of required) out[name] = build(s.members![name]!.shape, name, known)
      return out
    }
    case 'list':
      return [build(s.member!.shape, '', known)]
    case 'map':
      return {}
    case 'string':
      if (s.enum) return s.enum[0]
      return 'x'.repeat(Math.max(1, s.min ?? 1))
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return Math.max(1, s.min ?? 1)
    case 'boolean':
      return true
    case 'timestamp':
      return 0
    default:
      return {}
  }
}
