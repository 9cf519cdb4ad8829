import type { Setting, SettingName } from '@aws-sdk/client-ecs'
import type { RequestContext } from './context.js'
import { invalidParameter } from './errors.js'
import { paginate, listPage } from './pagination.js'
import { scopedKey } from '../store/scoped-key.js'
import type { EcsDeps, HandlerMap, Handler } from './types.js'

/**
 * ECS account settings, per account and region: a value set for a principal (user/role), else the
 * account default (set on the root principal), else AWS's default. Stored one doc per explicit value
 * under `scopedKey(scope, principalArn, name)`.
 */

interface SettingRule {
  values: string[]
  /** what AWS answers when nothing was set */
  default: string
  /** read-only settings AWS manages (type `aws_managed`) */
  awsManaged?: boolean
}

const ENABLED_DISABLED = ['enabled', 'disabled']

/** Every setting name of the model, its accepted values and its default. */
const SETTING_RULES: Record<SettingName, SettingRule> = {
  serviceLongArnFormat: { values: ENABLED_DISABLED, default: 'enabled' },
  taskLongArnFormat: { values: ENABLED_DISABLED, default: 'enabled' },
  containerInstanceLongArnFormat: { values: ENABLED_DISABLED, default: 'enabled' },
  awsvpcTrunking: { values: ENABLED_DISABLED, default: 'disabled' },
  containerInsights: { values: ['enhanced', 'enabled', 'disabled'], default: 'disabled' },
  fargateFIPSMode: { values: ENABLED_DISABLED, default: 'disabled' },
  tagResourceAuthorization: { values: ['on', 'off'], default: 'on' },
  fargateTaskRetirementWaitPeriod: { values: ['0', '7', '14'], default: '7' },
  guardDutyActivate: { values: ['on', 'off', 'enabled', 'disabled'], default: 'disabled', awsManaged: true },
  defaultLogDriverMode: { values: ['blocking', 'non-blocking'], default: 'non-blocking' },
  fargateEventWindows: { values: ENABLED_DISABLED, default: 'disabled' },
}

const SETTING_NAMES = (Object.keys(SETTING_RULES) as SettingName[]).sort()

const rootPrincipal = (ctx: Pick<RequestContext, 'account'>) => `arn:aws:iam::${ctx.account}:root`

export interface SettingDoc {
  name: SettingName
  value: string
  principalArn: string
  type: 'user' | 'aws_managed'
}

const settingKey = (ctx: RequestContext, principalArn: string, name: string) => scopedKey(ctx, principalArn, name)

function explicit(deps: Pick<EcsDeps, 'repos'>, ctx: RequestContext, principalArn: string, name: string) {
  return deps.repos.accountSettings.get(settingKey(ctx, principalArn, name))
}

/**
 * The value that applies to a principal (the caller by default): its own setting, else the
 * account default, else AWS's default. Other modules use it, e.g. CreateCluster's containerInsights.
 */
export function effectiveSetting(
  deps: Pick<EcsDeps, 'repos'>,
  ctx: RequestContext,
  name: SettingName,
  principalArn: string = ctx.principalArn,
): Setting {
  const rule = SETTING_RULES[name]
  const found = explicit(deps, ctx, principalArn, name) ?? explicit(deps, ctx, rootPrincipal(ctx), name)
  if (found) return { ...found }
  return { name, value: rule.default, principalArn: rootPrincipal(ctx), type: rule.awsManaged ? 'aws_managed' : 'user' }
}

function checkPrincipal(ctx: RequestContext, principalArn: string | undefined): string {
  if (principalArn === undefined) return ctx.principalArn
  if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|user\/.+|role\/.+|assumed-role\/.+)$/.test(principalArn)) {
    throw invalidParameter('The ARN provided is invalid.')
  }
  return principalArn
}

function checkWritable(name: SettingName, value?: string): void {
  const rule = SETTING_RULES[name]
  if (rule.awsManaged) {
    throw invalidParameter(`The ${name} account setting is managed by AWS and cannot be modified.`)
  }
  if (value !== undefined && !rule.values.includes(value)) {
    throw invalidParameter(
      `Invalid value '${value}' for the account setting ${name}. Valid values are: ${rule.values.join(', ')}.`,
    )
  }
}

async function put(deps: EcsDeps, ctx: RequestContext, name: SettingName, value: string, principalArn: string) {
  checkWritable(name, value)
  const doc: SettingDoc = { name, value, principalArn, type: 'user' }
  await deps.repos.accountSettings.put(settingKey(ctx, principalArn, name), doc)
  return { setting: { ...doc } }
}

const putAccountSetting: Handler<'PutAccountSetting'> = async (input, ctx, deps) => {
  return put(deps, ctx, input.name!, input.value!, checkPrincipal(ctx, input.principalArn))
}

const putAccountSettingDefault: Handler<'PutAccountSettingDefault'> = async (input, ctx, deps) => {
  return put(deps, ctx, input.name!, input.value!, rootPrincipal(ctx))
}

/** Removes an explicit value and answers with it; with none set, answers with what applied. */
const deleteAccountSetting: Handler<'DeleteAccountSetting'> = async (input, ctx, deps) => {
  const name = input.name!
  checkWritable(name)
  const principalArn = checkPrincipal(ctx, input.principalArn)
  const key = settingKey(ctx, principalArn, name)
  const doc = deps.repos.accountSettings.get(key)
  if (!doc) return { setting: { ...effectiveSetting(deps, ctx, name, principalArn), principalArn } }
  await deps.repos.accountSettings.delete(key)
  return { setting: { ...doc } }
}

/**
 * Explicit values of a principal (the caller by default), or with `effectiveSettings` what applies
 * to it for every setting; filtered by name (and value, which needs a name); 1-10 per page.
 */
const listAccountSettings: Handler<'ListAccountSettings'> = async (input, ctx, deps) => {
  if (input.value !== undefined && input.name === undefined) {
    throw invalidParameter('The value parameter can only be used together with the name parameter.')
  }
  const principalArn = checkPrincipal(ctx, input.principalArn)
  const names = input.name ? [input.name] : SETTING_NAMES
  let settings: Setting[]
  if (input.effectiveSettings) {
    settings = names.map((n) => effectiveSetting(deps, ctx, n, principalArn))
  } else {
    settings = names.map((n) => explicit(deps, ctx, principalArn, n)).filter((d): d is SettingDoc => !!d)
    settings = settings.map((s) => ({ ...s }))
  }
  if (input.value !== undefined) settings = settings.filter((s) => s.value === input.value)
  return listPage('ListAccountSettings', settings, input, [principalArn, input.name, input.value, !!input.effectiveSettings])
}

export const handlers: HandlerMap = {
  PutAccountSetting: putAccountSetting,
  PutAccountSettingDefault: putAccountSettingDefault,
  DeleteAccountSetting: deleteAccountSetting,
  ListAccountSettings: listAccountSettings,
}
