import { AwsError, type AwsContext } from '../service.js'
import { parseRef } from './names.js'
import type { ParameterDoc, SsmState } from './state.js'

function find(state: SsmState, ctx: AwsContext, ref: string): ParameterDoc | undefined {
  const r = parseRef(ref)
  // A selector is not a name: `a:1` names no parameter to delete.
  if (r.selector !== undefined) return undefined
  const where = { account: r.account ?? ctx.account, region: r.region ?? ctx.region }
  for (const n of r.names) {
    const p = state.get(where, n)
    if (p) return p
  }
  return undefined
}

export async function deleteParameter(input: any, ctx: AwsContext, state: SsmState) {
  const p = find(state, ctx, String(input.Name))
  // The message DeleteParameter sends is not confirmed; GetParameter's is empty, so this is too [L].
  if (!p) throw new AwsError('ParameterNotFound', '')
  await state.delete(p, p.name)
  return {}
}

export async function deleteParameters(input: any, ctx: AwsContext, state: SsmState) {
  const deleted: string[] = []
  const invalid: string[] = []
  for (const ref of (input.Names ?? []) as string[]) {
    const p = find(state, ctx, ref)
    if (!p) {
      if (!invalid.includes(ref)) invalid.push(ref)
      continue
    }
    await state.delete(p, p.name)
    deleted.push(ref)
  }
  return { DeletedParameters: deleted, InvalidParameters: invalid }
}
