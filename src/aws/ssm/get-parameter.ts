import { AwsError, type AwsContext } from '../service.js'
import { resolveRef } from './names.js'
import type { SsmState } from './state.js'
import { parameterOut } from './values.js'

// GetParameter's ParameterNotFound has an empty message in real AWS (the CLI prints nothing after the colon).
const notFound = () => new AwsError('ParameterNotFound', '')

export function getParameter(input: any, ctx: AwsContext, state: SsmState) {
  const found = resolveRef(state, ctx, String(input.Name))
  if (!found) throw notFound()
  if ('missingVersion' in found) {
    throw new AwsError(
      'ParameterVersionNotFound',
      `Systems Manager could not find version ${found.missingVersion} of ${found.param.name}. Verify the version and try again.`,
    )
  }
  return { Parameter: parameterOut(found.param, found.version, input.WithDecryption, found.selector) }
}

export function getParameters(input: any, ctx: AwsContext, state: SsmState) {
  const parameters: ReturnType<typeof parameterOut>[] = []
  const invalid: string[] = []
  const seen = new Set<string>()
  for (const ref of (input.Names ?? []) as string[]) {
    if (seen.has(ref)) continue
    seen.add(ref)
    const found = resolveRef(state, ctx, ref)
    if (!found || 'missingVersion' in found) invalid.push(ref)
    else parameters.push(parameterOut(found.param, found.version, input.WithDecryption, found.selector))
  }
  parameters.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
  return { Parameters: parameters, InvalidParameters: invalid }
}

