import { describe, expect, it } from 'vitest'
import { parseTaskDefinitionArn, taskArn } from '../../src/ecs/arns.js'
import { markStopping } from '../../src/ecs/tasks/stopping.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'
import { parseTaskArn, taskKey, taskKeyOf, taskKeyOfArn } from '../../src/ecs/tasks/task-keys.js'

const scope = { account: '000000000000', region: 'eu-west-1' }
const ID = '0123456789abcdef0123456789abcdef'

describe('task keys', () => {
  it('a task is keyed by account, region, cluster and id, which its long ARN carries', () => {
    expect(taskKey(scope, 'web', ID)).toBe(`000000000000/eu-west-1/web/${ID}`)
    expect(taskKeyOfArn(taskArn(scope, 'web', ID))).toBe(taskKey(scope, 'web', ID))
    expect(taskKeyOf({ taskArn: taskArn(scope, 'web', ID) })).toBe(taskKey(scope, 'web', ID))
  })

  it('parses long and short task ARNs; anything else is not a task', () => {
    expect(parseTaskArn(taskArn(scope, 'web', ID))).toEqual({ ...scope, clusterName: 'web', taskId: ID })
    expect(parseTaskArn(`arn:aws:ecs:eu-west-1:000000000000:task/${ID}`)).toEqual({ ...scope, taskId: ID })
    expect(parseTaskArn('arn:aws:ecs:eu-west-1:000000000000:service/web/api')).toBeUndefined()
    expect(parseTaskArn(ID)).toBeUndefined()
  })

  it('the short format names no stored doc', () => {
    const short = `arn:aws:ecs:eu-west-1:000000000000:task/${ID}`
    expect(taskKeyOfArn(short)).toBeUndefined()
    expect(() => taskKeyOf({ taskArn: short })).toThrow(/not a long-format task ARN/)
  })
})

describe('task definition ARNs', () => {
  it('split into scope, family and revision', () => {
    expect(parseTaskDefinitionArn('arn:aws:ecs:eu-west-1:000000000000:task-definition/web-app_2:17')).toEqual({
      ...scope,
      family: 'web-app_2',
      revision: 17,
    })
  })

  it('need a revision and the task-definition type', () => {
    expect(parseTaskDefinitionArn('arn:aws:ecs:eu-west-1:000000000000:task-definition/web')).toBeUndefined()
    expect(parseTaskDefinitionArn('arn:aws:ecs:eu-west-1:000000000000:task-definition/web:latest')).toBeUndefined()
    expect(parseTaskDefinitionArn('arn:aws:ecs:eu-west-1:000000000000:cluster/web')).toBeUndefined()
    expect(parseTaskDefinitionArn('web:3')).toBeUndefined()
  })
})

describe('the stop transition', () => {
  const running = () => ({ desiredStatus: 'RUNNING', lastStatus: 'RUNNING' }) as TaskDoc

  it('sets desiredStatus STOPPED, the stop code, the reason and stoppingAt; lastStatus stays', () => {
    const doc = running()
    expect(markStopping(doc, { stopCode: 'UserInitiated', stoppedReason: 'bye' }, 1_700_000_000_500)).toBe(true)
    expect(doc).toEqual({
      desiredStatus: 'STOPPED',
      lastStatus: 'RUNNING',
      stopCode: 'UserInitiated',
      stoppedReason: 'bye',
      stoppingAt: 1_700_000_000.5,
    })
  })

  it('a task already stopping keeps its first reason and time', () => {
    const doc = running()
    markStopping(doc, { stopCode: 'EssentialContainerExited', stoppedReason: 'first' }, 1_000)
    const before = structuredClone(doc)
    expect(markStopping(doc, { stopCode: 'UserInitiated', stoppedReason: 'second' }, 2_000)).toBe(false)
    expect(doc).toEqual(before)
  })
})
