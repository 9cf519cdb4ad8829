import { AwsError, type AwsContext } from '../service.js'
import { parseRef } from './names.js'
import { latest, type ParameterDoc, type SsmState } from './state.js'

const MAX_LABELS_PER_VERSION = 10

/** AWS's label rules: ≤100 chars, letters/digits/`.-_`, not starting with a digit or aws/ssm. */
function validLabel(l: string): boolean {
  return l.length >= 1 && l.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(l) && !/^[0-9]/.test(l) && !/^(aws|ssm)/i.test(l)
}

function find(state: SsmState, ctx: AwsContext, ref: string): ParameterDoc {
  const r = parseRef(ref)
  const where = { account: r.account ?? ctx.account, region: r.region ?? ctx.region }
  for (const n of r.names) {
    const p = state.get(where, n)
    if (p) return structuredClone(p)
  }
  throw new AwsError('ParameterNotFound', '')
}

function versionOf(p: ParameterDoc, wanted: number | undefined) {
  const v = wanted === undefined ? latest(p) : p.versions.find((x) => x.version === wanted)
  if (!v) {
    throw new AwsError('ParameterVersionNotFound', `Systems Manager could not find version ${wanted} of ${p.name}. Verify the version and try again.`)
  }
  return v
}

export async function labelParameterVersion(input: any, ctx: AwsContext, state: SsmState) {
  const p = find(state, ctx, String(input.Name))
  const target = versionOf(p, input.ParameterVersion)
  const labels = [...new Set((input.Labels ?? []) as string[])]
  const invalid = labels.filter((l) => !validLabel(l))
  const good = labels.filter(validLabel)
  const next = new Set([...target.labels, ...good])
  if (next.size > MAX_LABELS_PER_VERSION) {
    throw new AwsError(
      'ParameterVersionLabelLimitExceeded',
      'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
    )
  }
  // A label names one version: attaching it here moves it off any other.
  for (const v of p.versions) if (v !== target) v.labels = v.labels.filter((l) => !good.includes(l))
  target.labels = [...next]
  await state.put(p)
  return { InvalidLabels: invalid, ParameterVersion: target.version }
}

export async function unlabelParameterVersion(input: any, ctx: AwsContext, state: SsmState) {
  const p = find(state, ctx, String(input.Name))
  const target = versionOf(p, input.ParameterVersion)
  const labels = [...new Set((input.Labels ?? []) as string[])]
  const removed = labels.filter((l) => target.labels.includes(l))
  const invalid = labels.filter((l) => !target.labels.includes(l))
  target.labels = target.labels.filter((l) => !removed.includes(l))
  if (removed.length > 0) await state.put(p)
  return { RemovedLabels: removed, InvalidLabels: invalid }
}
