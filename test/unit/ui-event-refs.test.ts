import { describe, expect, it } from 'vitest'
import { refsOf, summary, type EcsEvent } from '../../src/ui/event-refs.js'

const P = 'arn:aws:ecs:us-east-1:000000000000'
const ev = (type: string, resources: string[], detail: Record<string, unknown>): EcsEvent => ({ id: '1', 'detail-type': type, time: '2024-01-01T00:00:00Z', resources, detail })

describe('web UI event panel: what an event is about, in one line', () => {
  it('a task state change: its cluster, task and (from its group) service', () => {
    const e = ev('ECS Task State Change', [`${P}:task/demo/0123456789abcdef0123456789abcdef`], {
      clusterArn: `${P}:cluster/demo`,
      taskArn: `${P}:task/demo/0123456789abcdef0123456789abcdef`,
      group: 'service:web',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
    })
    expect(refsOf(e)).toEqual({ cluster: 'demo', task: '0123456789abcdef0123456789abcdef', service: 'web' })
    expect(summary(e)).toBe('01234567 STOPPED (Essential container in task exited)')
  })

  it('a service action and a deployment change: cluster and service from the service ARN', () => {
    const action = ev('ECS Service Action', [`${P}:service/demo/web`], { clusterArn: `${P}:cluster/demo`, eventName: 'SERVICE_STEADY_STATE' })
    expect(refsOf(action)).toEqual({ cluster: 'demo', service: 'web' })
    expect(summary(action)).toBe('SERVICE_STEADY_STATE')
    const dep = ev('ECS Deployment State Change', [`${P}:service/demo/web`], { eventName: 'SERVICE_DEPLOYMENT_COMPLETED', reason: 'done.' })
    expect(refsOf(dep)).toEqual({ cluster: 'demo', service: 'web' })
    expect(summary(dep)).toBe('SERVICE_DEPLOYMENT_COMPLETED: done.')
  })
})
