import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { clockTime, formatEvent, formatEventJson, formatNotice } from '../../src/cli/event-format.js'
import { feedUrl } from '../../src/cli/event-stream.js'
import { parseSince } from '../../src/cli/events.js'
import { CliError } from '../../src/lib/errors.js'
import { deploymentEvent, instanceEvent, serviceAction, taskArn, taskEvent } from '../helpers/ecs-events.js'

const plain = { chalk: new Chalk({ level: 0 }), utc: true }
const coloured = { chalk: new Chalk({ level: 1 }), utc: true }

describe('formatEvent', () => {
  it('prints a task state change: time, short id, family, status', () => {
    expect(formatEvent(taskEvent({ time: '2024-05-01T12:01:03Z' }), plain)).toBe('12:01:03 task 1a2b3c4d web RUNNING')
    expect(formatEvent(taskEvent({ lastStatus: 'PROVISIONING', containers: [] }), plain)).toBe('12:01:03 task 1a2b3c4d web PROVISIONING')
  })

  it('shows where the task is going and containers that lag behind', () => {
    const e = taskEvent({
      lastStatus: 'RUNNING',
      desiredStatus: 'STOPPED',
      containers: [
        { name: 'app', lastStatus: 'RUNNING' },
        { name: 'sidecar', lastStatus: 'STOPPED', exitCode: 0 },
      ],
    })
    expect(formatEvent(e, plain)).toBe('12:01:03 task 1a2b3c4d web RUNNING (desired STOPPED) [sidecar STOPPED]')
  })

  it('explains a stopped task: stop code, reason, exit codes', () => {
    const e = taskEvent({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 1 }],
    })
    expect(formatEvent(e, plain)).toBe(
      '12:01:03 task 1a2b3c4d web STOPPED EssentialContainerExited: Essential container in task exited (app exit 1)',
    )
  })

  it('colours statuses: running green, failed red', () => {
    expect(formatEvent(taskEvent(), coloured)).toContain('\u001b[32mRUNNING\u001b[39m')
    const failed = taskEvent({ lastStatus: 'STOPPED', containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 2 }] })
    expect(formatEvent(failed, coloured)).toContain('\u001b[31mSTOPPED\u001b[39m')
    const ok = taskEvent({ lastStatus: 'STOPPED', containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 0 }] })
    expect(formatEvent(ok, coloured)).not.toContain('\u001b[31m')
  })

  it('prints service actions', () => {
    expect(formatEvent(serviceAction(), plain)).toBe('12:01:09 service web reached a steady state')
    const failure = serviceAction({ eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'RESOURCE:FARGATE' })
    expect(formatEvent(failure, plain)).toBe('12:01:09 service web could not place a task: RESOURCE:FARGATE')
    expect(formatEvent(failure, coloured)).toContain('\u001b[31mcould not place a task: RESOURCE:FARGATE')
    expect(formatEvent(serviceAction({ eventName: 'SOMETHING_NEW' }), plain)).toBe('12:01:09 service web SOMETHING_NEW')
  })

  it('prints deployment state changes, with the reason only when it says more', () => {
    expect(formatEvent(deploymentEvent(), plain)).toBe('12:01:09 deployment ecs-svc/123 COMPLETED (service web)')
    expect(formatEvent(deploymentEvent({ eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', reason: 'ECS deployment ecs-svc/123 in progress.' }), plain)).toBe(
      '12:01:09 deployment ecs-svc/123 IN_PROGRESS (service web)',
    )
    const failed = deploymentEvent({ eventName: 'SERVICE_DEPLOYMENT_FAILED', reason: 'ECS deployment circuit breaker: task failed to start.' })
    expect(formatEvent(failed, plain)).toBe('12:01:09 deployment ecs-svc/123 FAILED: ECS deployment circuit breaker: task failed to start. (service web)')
    expect(formatEvent(failed, coloured)).toContain('\u001b[31mFAILED\u001b[39m')
  })

  it('prints container instance changes and unknown types', () => {
    expect(formatEvent(instanceEvent(), plain)).toBe('12:00:00 instance abcdef01 ACTIVE (2 running, 0 pending)')
    const other = { ...taskEvent(), 'detail-type': 'ECS Something New', resources: [taskArn()] }
    expect(formatEvent(other, plain)).toBe(`12:01:03 ECS Something New ${taskArn()}`)
  })

  it('prints --json lines exactly as the bus has the event', () => {
    const e = taskEvent()
    const line = formatEventJson(e)
    expect(line).not.toContain('\n')
    expect(JSON.parse(line)).toEqual(e)
  })

  it('formats notices and times', () => {
    expect(formatNotice({ code: 'dropped', message: 'dropped 3 events' }, { ...plain, now: new Date('2024-05-01T08:00:01Z') })).toBe(
      '08:00:01 ! dropped 3 events',
    )
    expect(clockTime('nonsense')).toBe('--:--:--')
  })
})

describe('kecs events helpers', () => {
  it('builds the feed URL from an ECS endpoint', () => {
    expect(feedUrl('http://127.0.0.1:8080', { cluster: 'default', detailType: ['ECS Task State Change'] }, { after: 'abc' })).toBe(
      'ws://127.0.0.1:8080/ws?cluster=default&detail-type=ECS+Task+State+Change&after=abc',
    )
    expect(feedUrl('https://[::1]:9000/')).toBe('wss://[::1]:9000/ws')
  })

  it('reads --since as an ISO time or a duration back from now', () => {
    expect(parseSince('2024-05-01T12:00:00Z')).toBe('2024-05-01T12:00:00.000Z')
    expect(parseSince('5m', Date.parse('2024-05-01T12:00:00Z'))).toBe('2024-05-01T11:55:00.000Z')
    expect(() => parseSince('yesterday')).toThrow(CliError)
    expect(() => parseSince('2024-13-45T99:00:00Z')).toThrow(CliError)
  })
})
