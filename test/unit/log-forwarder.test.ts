import { describe, expect, it } from 'vitest'
import { LogForwarder, parseLine } from '../../src/ecs/tasks/log-forwarder.js'
import type { LogLine, TaskLogSink } from '../../src/ecs/tasks/log-sink.js'
import { PodLogError, type PodLogRequest, type PodLogSource } from '../../src/ecs/tasks/log-source.js'
import type { TaskDoc } from '../../src/ecs/tasks/task-doc.js'

/** The forwarder that hands a log driver's containers' lines to a sink, on a scripted log source. */
const ts = (ms: number) => new Date(ms).toISOString().replace('Z', '000000Z')

class Source implements PodLogSource {
  lines: string[] = []
  opened: PodLogRequest[] = []
  ended = false
  notStarted = false
  private wake = () => {}
  push(...l: string[]) {
    this.lines.push(...l)
    this.wake()
  }
  end() {
    this.ended = true
    this.wake()
  }
  async open(req: PodLogRequest, signal?: AbortSignal): Promise<AsyncIterable<string>> {
    if (this.notStarted) throw new PodLogError(400, 'waiting to start')
    this.opened.push(req)
    this.ended = false
    const self = this
    return (async function* () {
      let i = 0
      for (;;) {
        while (i < self.lines.length) yield `${self.lines[i++]}\n`
        if (self.ended || signal?.aborted) return
        await new Promise<void>((r) => {
          self.wake = r
          signal?.addEventListener('abort', () => r(), { once: true })
        })
      }
    })()
  }
}

class Sink implements TaskLogSink {
  got: LogLine[] = []
  failNext = false
  resume: number | undefined
  wants = (_t: TaskDoc, c: string) => c === 'app'
  async onLines(_t: TaskDoc, _c: string, lines: LogLine[]) {
    if (this.failNext) {
      this.failNext = false
      throw new Error('sink down')
    }
    this.got.push(...lines)
  }
  resumeAfter = () => this.resume
}

const task = (status: string): TaskDoc =>
  ({
    taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1',
    lastStatus: status,
    kecs: { namespace: 'ns', podName: 'p' },
    containers: [
      { name: 'app', lastStatus: status },
      { name: 'side', lastStatus: status },
    ],
  }) as unknown as TaskDoc

const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(f()).toBe(true)
}

describe('LogForwarder', () => {
  it('follows only the containers the sink wants, once they run, with timestamps', async () => {
    const src = new Source()
    const sink = new Sink()
    const f = new LogForwarder(src, sink)
    f.taskChanged(task('PENDING'))
    expect(src.opened).toEqual([])
    src.push(`${ts(1000)} one`, `${ts(2000)} two`)
    f.taskChanged(task('RUNNING'))
    f.taskChanged(task('RUNNING')) // one follow per container
    await until(() => sink.got.length === 2)
    expect(src.opened).toEqual([{ namespace: 'ns', pod: 'p', container: 'app', follow: true, timestamps: true }])
    expect(sink.got).toEqual([
      { timestamp: 1000, message: 'one' },
      { timestamp: 2000, message: 'two' },
    ])
    src.push(`${ts(3000)} three`)
    await until(() => sink.got.length === 3)
    await f.stop()
  })

  it('re-opens a stream that ended while the container runs without handing lines twice', async () => {
    const src = new Source()
    const sink = new Sink()
    const f = new LogForwarder(src, sink)
    src.push(`${ts(1000)} a`, `${ts(1000)} b`)
    f.taskChanged(task('RUNNING'))
    await until(() => sink.got.length === 2)
    src.end()
    await until(() => src.opened.length === 1)
    await new Promise((r) => setTimeout(r, 20))
    src.push(`${ts(1000)} c`, `${ts(4000)} d`)
    f.taskChanged(task('RUNNING'))
    await until(() => sink.got.length === 4)
    expect(sink.got.map((l) => l.message)).toEqual(['a', 'b', 'c', 'd'])
    await f.stop()
  })

  it('skips what the sink already has after a restart, and survives a failing sink', async () => {
    const src = new Source()
    const sink = new Sink()
    sink.resume = 2000
    src.push(`${ts(1000)} old`, `${ts(2000)} old too`)
    const f = new LogForwarder(src, sink)
    f.taskChanged(task('RUNNING'))
    await new Promise((r) => setTimeout(r, 20))
    expect(sink.got).toEqual([])
    sink.failNext = true
    src.push(`${ts(3000)} dropped`)
    await new Promise((r) => setTimeout(r, 20))
    src.push(`${ts(4000)} new`)
    await until(() => sink.got.length === 1)
    expect(sink.got).toEqual([{ timestamp: 4000, message: 'new' }])
    await f.stop()
  })

  it('reads a container that already stopped once, and leaves one not started for its next change', async () => {
    const src = new Source()
    const sink = new Sink()
    const f = new LogForwarder(src, sink)
    src.notStarted = true
    f.taskChanged(task('RUNNING'))
    await new Promise((r) => setTimeout(r, 10))
    src.notStarted = false
    src.push(`${ts(1000)} bye`)
    src.ended = true
    f.taskChanged(task('STOPPED'))
    await until(() => sink.got.length === 1)
    await new Promise((r) => setTimeout(r, 10))
    f.taskChanged(task('STOPPED'))
    await new Promise((r) => setTimeout(r, 10))
    expect(src.opened).toHaveLength(1)
    await f.stop()
  })
})

describe('parseLine', () => {
  it('splits the RFC3339Nano timestamp the API server prefixes', () => {
    expect(parseLine('2024-01-02T03:04:05.123456789Z hello world')).toEqual({ timestamp: Date.UTC(2024, 0, 2, 3, 4, 5, 123), message: 'hello world' })
    expect(parseLine('2024-01-02T03:04:05Z ')).toEqual({ timestamp: Date.UTC(2024, 0, 2, 3, 4, 5), message: '' })
    expect(parseLine('no stamp').message).toBe('no stamp')
  })
})
