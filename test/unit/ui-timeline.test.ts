import { describe, expect, it } from 'vitest'
import { timeline } from '../../src/ui/timeline.js'

const ARN = 'arn:aws:ecs:us-east-1:000000000000:task/c/abc'
const ev = (lastStatus: string, time: string, taskArn = ARN) => ({ 'detail-type': 'ECS Task State Change', time, detail: { taskArn, lastStatus } })

describe('task timeline (web UI)', () => {
  it("lists each status once, the first time the task's events show it, in order", () => {
    const steps = timeline({ taskArn: ARN }, [
      ev('RUNNING', '2024-01-01T00:00:05Z'),
      ev('PENDING', '2024-01-01T00:00:02Z'),
      ev('PENDING', '2024-01-01T00:00:03Z'),
      ev('STOPPED', '2024-01-01T00:00:09Z'),
      ev('RUNNING', '2024-01-01T00:00:01Z', 'arn:aws:ecs:us-east-1:000000000000:task/c/other'),
    ])
    expect(steps.map((s) => s.status)).toEqual(['PENDING', 'RUNNING', 'STOPPED'])
    expect(steps[0]!.at).toBe(Date.parse('2024-01-01T00:00:02Z'))
  })

  it("fills what the feed no longer has from the task's own timestamps", () => {
    const t0 = Date.parse('2024-01-01T00:00:00Z') / 1000
    const steps = timeline({ taskArn: ARN, createdAt: t0, startedAt: t0 + 4, stoppedAt: t0 + 9 }, [ev('STOPPED', '2024-01-01T00:00:09Z')])
    expect(steps.map((s) => [s.status, s.at / 1000 - t0])).toEqual([
      ['PROVISIONING', 0],
      ['RUNNING', 4],
      ['STOPPED', 9],
    ])
  })
})
