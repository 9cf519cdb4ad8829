import type { AwsHandler } from '../service.js'
import { groupNameOf, streamArn } from './arns.js'
import { invalidParameter, streamExists } from './errors.js'
import { scopeOf } from './groups.js'
import { pageOf, sortBy } from './paging.js'
import type { LogsState, Scope, StreamDoc } from './state.js'

/** The sequence token a stream reports: ignored on input since 2023, still returned (fact sheet 3.2). */
export const sequenceToken = (st: StreamDoc) => String(st.lastSeq + 1).padStart(56, '0')

export function streamOut(st: StreamDoc) {
  return {
    arn: streamArn(st, st.group, st.name),
    creationTime: st.creationTime,
    ...(st.firstEventTimestamp !== undefined ? { firstEventTimestamp: st.firstEventTimestamp } : {}),
    ...(st.lastEventTimestamp !== undefined ? { lastEventTimestamp: st.lastEventTimestamp } : {}),
    ...(st.lastIngestionTime !== undefined ? { lastIngestionTime: st.lastIngestionTime } : {}),
    logStreamName: st.name,
    // Deprecated by AWS and reported as 0 (recorded responses).
    storedBytes: 0,
    uploadSequenceToken: sequenceToken(st),
  }
}

export const newStream = (s: Scope, group: string, name: string, now: number): StreamDoc => ({
  account: s.account,
  region: s.region,
  group,
  name,
  creationTime: now,
  lastSeq: 0,
})

export const streamHandlers: Record<string, AwsHandler<LogsState>> = {
  async CreateLogStream(input, ctx, state) {
    const s = scopeOf(ctx)
    state.requireGroup(s, input.logGroupName)
    if (state.stream(s, input.logGroupName, input.logStreamName)) throw streamExists()
    await state.putStream(newStream(s, input.logGroupName, input.logStreamName, ctx.now()))
  },

  async DeleteLogStream(input, ctx, state) {
    const s = scopeOf(ctx)
    state.requireGroup(s, input.logGroupName)
    state.requireStream(s, input.logGroupName, input.logStreamName)
    await state.deleteStream(s, input.logGroupName, input.logStreamName)
  },

  DescribeLogStreams(input, ctx, state) {
    const s = scopeOf(ctx)
    const group = groupNameOf(input, s)
    state.requireGroup(s, group)
    const byTime = input.orderBy === 'LastEventTime'
    const prefix: string | undefined = input.logStreamNamePrefix
    if (byTime && prefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.') // text from memory
    let streams = state.streamsOf(s, group)
    if (prefix !== undefined) streams = streams.filter((st) => st.name.startsWith(prefix))
    const keyOf = byTime ? (st: StreamDoc) => [st.lastEventTimestamp ?? 0, st.name] : (st: StreamDoc) => [st.name]
    const descending = input.descending === true
    const page = pageOf(sortBy(streams, keyOf, descending), keyOf, input.limit ?? 50, input.nextToken, descending)
    return { logStreams: page.items.map(streamOut), ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  },
}
