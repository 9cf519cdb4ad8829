import { describe, expect, it } from 'vitest'
import { toTimers } from '../../src/lib/timers.js'
import { WorkQueue } from '../../src/lib/work-queue.js'

describe('WorkQueue with a limit and lanes', () => {
  it('runs at most maxActive keys at once, lanes taking turns: a burst in one lane does not hold back another', async () => {
    const started: string[] = []
    let active = 0
    let peak = 0
    const q = new WorkQueue(
      'test',
      async (key) => {
        started.push(key)
        peak = Math.max(peak, ++active)
        await new Promise((r) => setTimeout(r, 2))
        active--
      },
      toTimers(),
      () => {},
      undefined,
      { maxActive: 2, laneOf: (key) => key.split('/')[0]! },
    )
    for (let i = 0; i < 20; i++) q.add(`busy/${i}`)
    q.add('quiet/0')
    await new Promise((r) => setTimeout(r, 100))
    expect(q.idle).toBe(true)
    expect(peak).toBe(2)
    expect(started).toHaveLength(21)
    // The quiet lane's only key ran among the first few, not after the 20 of the busy lane.
    expect(started.indexOf('quiet/0')).toBeLessThan(3)
    // Within a lane, first in, first out.
    const busy = started.filter((k) => k.startsWith('busy/'))
    expect(busy).toEqual(Array.from({ length: 20 }, (_, i) => `busy/${i}`))
  })
})
