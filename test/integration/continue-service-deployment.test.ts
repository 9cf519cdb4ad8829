import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'
import { eventually } from '../helpers/emulator.js'

/**
 * ContinueServiceDeployment: an unknown service deployment, one that is not IN_PROGRESS, and a hook
 * that is not awaiting action (KECS stores PAUSE hooks but never pauses at them) are refused.
 */
let k: ClusterInstance
const CLUSTER = 'continue-it'

const deploymentOf = async (service: string) => {
  const r = await k.call('ListServiceDeployments', { cluster: CLUSTER, service })
  return r.body.serviceDeployments[0] as { serviceDeploymentArn: string; status: string }
}

beforeAll(async () => {
  k = await startClusterInstance()
  await k.call('CreateCluster', { clusterName: CLUSTER })
  await k.call('RegisterTaskDefinition', { family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64 }] })
  await k.call('RegisterTaskDefinition', {
    family: 'nopull',
    containerDefinitions: [{ name: 'app', image: 'nginx:9.99', memory: 64, dockerLabels: { 'kecs.simulate.image-pull-error': 'true' } }],
  })
  const pause = { lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }] }
  // A revision that cannot pull stays IN_PROGRESS (no breaker); desiredCount 0 completes at once.
  expect((await k.call('CreateService', { cluster: CLUSTER, serviceName: 'busy', taskDefinition: 'nopull', desiredCount: 1, deploymentConfiguration: pause })).status).toBe(200)
  expect((await k.call('CreateService', { cluster: CLUSTER, serviceName: 'idle', taskDefinition: 'web', desiredCount: 0, deploymentConfiguration: pause })).status).toBe(200)
})
afterAll(async () => k?.stopAll())

describe('ContinueServiceDeployment', () => {
  it('an unknown service deployment: ServiceDeploymentNotFoundException', async () => {
    const r = await k.call('ContinueServiceDeployment', {
      serviceDeploymentArn: `arn:aws:ecs:us-east-1:000000000000:service-deployment/${CLUSTER}/busy/EZe5RNVLH6PPzHXINuP28`,
      hookId: 'ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw',
    })
    expect(r.status).toBe(400)
    expect(r.body).toEqual({ __type: 'ServiceDeploymentNotFoundException', message: 'Service deployment not found.' })
  })

  it('a deployment that is not IN_PROGRESS is refused', async () => {
    const sd = await eventually(async () => {
      const d = await deploymentOf('idle')
      return d?.status === 'SUCCESSFUL' ? d : undefined
    }, 'idle SUCCESSFUL')
    const r = await k.call('ContinueServiceDeployment', { serviceDeploymentArn: sd.serviceDeploymentArn, hookId: 'ecs-pause-x', action: 'CONTINUE' })
    expect(r.body).toEqual({ __type: 'InvalidParameterException', message: 'The service deployment cannot be continued: its status is SUCCESSFUL, not IN_PROGRESS.' })
  })

  it('an IN_PROGRESS deployment with no hook awaiting action is refused at the hook', async () => {
    const sd = await deploymentOf('busy')
    expect(sd.status).toBe('IN_PROGRESS')
    const r = await k.call('ContinueServiceDeployment', { serviceDeploymentArn: sd.serviceDeploymentArn, hookId: 'ecs-pause-abc', action: 'ROLLBACK' })
    expect(r.body).toEqual({
      __type: 'InvalidParameterException',
      message: 'The lifecycle hook ecs-pause-abc is not in AWAITING_ACTION status for this service deployment.',
    })
    // The model validates action.
    expect((await k.call('ContinueServiceDeployment', { serviceDeploymentArn: sd.serviceDeploymentArn, hookId: 'h', action: 'SKIP' })).body.__type).toBe('InvalidParameterException')
  })
})
