import type { AwsContext, AwsHandler } from '../service.js'
import { groupArn } from './arns.js'
import { groupExists, invalidParameter } from './errors.js'
import { pageOf } from './paging.js'
import type { GroupDoc, LogsState, Scope } from './state.js'

/** PutRetentionPolicy's allowed values (fact sheet 3.2). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]

export const scopeOf = (ctx: AwsContext): Scope => ({ account: ctx.account, region: ctx.region })

/** The LogGroup shape as DescribeLogGroups returns it (retentionInDays and kmsKeyId only when set). */
export function groupOut(g: GroupDoc) {
  const arn = groupArn(g, g.name)
  return {
    arn: `${arn}:*`,
    creationTime: g.creationTime,
    deletionProtectionEnabled: g.deletionProtectionEnabled,
    ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupArn: arn,
    logGroupClass: g.logGroupClass,
    logGroupName: g.name,
    metricFilterCount: 0,
    ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
    storedBytes: g.storedBytes,
  }
}

export function checkTags(tags: Record<string, string> | undefined) {
  if (tags && Object.keys(tags).length > 50) throw invalidParameter('A resource can have no more than 50 tags.') // text unverified
}

/** The group as CreateLogGroup makes it; also used by the awslogs driver's create-group. */
export function newGroup(s: Scope, name: string, now: number, input: { tags?: Record<string, string>; kmsKeyId?: string; logGroupClass?: string; deletionProtectionEnabled?: boolean } = {}): GroupDoc {
  return {
    account: s.account,
    region: s.region,
    name,
    creationTime: now,
    logGroupClass: input.logGroupClass ?? 'STANDARD',
    deletionProtectionEnabled: input.deletionProtectionEnabled ?? false,
    ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
    tags: { ...(input.tags ?? {}) },
    storedBytes: 0,
  }
}

export const groupHandlers: Record<string, AwsHandler<LogsState>> = {
  async CreateLogGroup(input, ctx, state) {
    const s = scopeOf(ctx)
    const name: string = input.logGroupName
    if (name.startsWith('aws/')) invalidParameterName() // reserved for AWS services (fact sheet 3.1)
    if (state.group(s, name)) throw groupExists()
    checkTags(input.tags)
    await state.putGroup(newGroup(s, name, ctx.now(), input))
  },

  async DeleteLogGroup(input, ctx, state) {
    const s = scopeOf(ctx)
    state.requireGroup(s, input.logGroupName)
    await state.deleteGroup(s, input.logGroupName)
  },

  DescribeLogGroups(input, ctx, state) {
    const s = scopeOf(ctx)
    const prefix: string | undefined = input.logGroupNamePrefix
    const pattern: string | undefined = input.logGroupNamePattern
    if (prefix !== undefined && pattern !== undefined) {
      throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.')
    }
    let groups = state.groupsOf(s)
    if (prefix !== undefined) groups = groups.filter((g) => g.name.startsWith(prefix))
    if (pattern !== undefined) {
      // A case-insensitive substring of the name (the API's documented matching).
      const p = pattern.toLowerCase()
      groups = groups.filter((g) => g.name.toLowerCase().includes(p))
    }
    if (input.logGroupClass !== undefined) groups = groups.filter((g) => g.logGroupClass === input.logGroupClass)
    if (Array.isArray(input.logGroupIdentifiers)) {
      const names = new Set((input.logGroupIdentifiers as string[]).map((id) => (id.startsWith('arn:') ? id.replace(/:\*$/, '').replace(/^.*:log-group:/, '') : id)))
      groups = groups.filter((g) => names.has(g.name))
    }
    const page = pageOf(groups, (g) => [g.name], input.limit ?? 50, input.nextToken)
    return { logGroups: page.items.map(groupOut), ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  },

  async PutRetentionPolicy(input, ctx, state) {
    const s = scopeOf(ctx)
    const days = Number(input.retentionInDays)
    if (!RETENTION_DAYS.includes(days)) {
      throw invalidParameter(
        `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      )
    }
    const g = state.requireGroup(s, input.logGroupName)
    await state.putGroup({ ...g, retentionInDays: days })
  },

  async DeleteRetentionPolicy(input, ctx, state) {
    const g = state.requireGroup(scopeOf(ctx), input.logGroupName)
    const { retentionInDays: _, ...rest } = g
    await state.putGroup(rest)
  },
}

function invalidParameterName(): never {
  throw invalidParameter("Log group names starting with 'aws/' are reserved for AWS services.") // text unverified
}

