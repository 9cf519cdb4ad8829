import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { formatLogLine, mergeByTime, splitLogTimestamp, type LogLine } from '../../src/cli/log-format.js'
import { logsUrl } from '../../src/cli/log-stream.js'

const TASK = '0123456789abcdef0123456789abcdef'

describe('log lines', () => {
  it('splits the RFC 3339 timestamp the endpoint prefixes', () => {
    expect(splitLogTimestamp('2024-01-02T03:04:05.123456789Z hello world')).toEqual({
      ts: '2024-01-02T03:04:05.123456789Z',
      ms: Date.parse('2024-01-02T03:04:05.123Z'),
      text: 'hello world',
    })
    expect(splitLogTimestamp('2024-01-02T03:04:05Z')).toMatchObject({ text: '' })
    expect(splitLogTimestamp('plain line')).toEqual({ text: 'plain line' })
    expect(splitLogTimestamp('')).toEqual({ text: '' })
  })

  it('prefixes <task-id-short>/<container> | when asked, the timestamp with --timestamps', () => {
    const l: LogLine = { taskId: TASK, container: 'web', ts: '2024-01-02T03:04:05Z', ms: 0, text: 'GET / 200' }
    expect(formatLogLine(l, { prefix: false })).toBe('GET / 200')
    expect(formatLogLine(l, { prefix: true })).toBe('01234567/web | GET / 200')
    expect(formatLogLine(l, { prefix: true, timestamps: true })).toBe('01234567/web | 2024-01-02T03:04:05Z GET / 200')
    expect(formatLogLine(l, { prefix: true, chalk: new Chalk({ level: 0 }) })).toBe('01234567/web | GET / 200')
  })

  it('interleaves finished streams in time order, keeping each stream’s order', () => {
    const a = (ms: number | undefined, text: string): LogLine => ({ taskId: 'a', container: 'x', ms, text })
    const b = (ms: number | undefined, text: string): LogLine => ({ taskId: 'b', container: 'x', ms, text })
    const merged = mergeByTime([
      [a(1, 'a1'), a(undefined, 'a1-cont'), a(5, 'a5')],
      [b(2, 'b2'), b(5, 'b5'), b(9, 'b9')],
    ])
    expect(merged.map((l) => l.text)).toEqual(['a1', 'a1-cont', 'b2', 'a5', 'b5', 'b9'])
  })

  it('asks the logs endpoint for timestamps, and only for what was given', () => {
    const u = new URL(logsUrl({ endpoint: 'http://127.0.0.1:8080', cluster: 'default', taskArn: 'arn:x/t', container: 'app', follow: true, tail: 10 }))
    expect(u.pathname).toBe('/kecs/v1/logs')
    expect(Object.fromEntries(u.searchParams)).toEqual({ cluster: 'default', task: 'arn:x/t', container: 'app', timestamps: 'true', follow: 'true', tail: '10' })
  })
})
