import { AwsError, type AwsContext } from '../service.js'
import { checkName } from './names.js'
import { latest, type ParameterDoc, type ParameterType, type ParameterVersion, type SsmState } from './state.js'
import { checkTags } from './tags.js'
import { DEFAULT_KEY_ID } from './values.js'

const MAX_VERSIONS = 100
const STANDARD_MAX = 4096
const ADVANCED_MAX = 8192

export async function putParameter(input: any, ctx: AwsContext, state: SsmState) {
  const name = checkName(String(input.Name))
  const value = String(input.Value)
  const overwrite = input.Overwrite === true
  const tags: { Key: string; Value: string }[] | undefined = input.Tags
  if (tags && tags.length > 0 && overwrite) {
    throw new AwsError(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    )
  }
  const existing = state.get(ctx, name)
  if (existing && !overwrite) {
    throw new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.')
  }
  const prev = existing ? latest(existing) : undefined
  const type = (input.Type ?? prev?.type) as ParameterType | undefined
  if (!type) throw new AwsError('ValidationException', 'A parameter type is required when you create a parameter.')
  if (input.KeyId !== undefined && type !== 'SecureString') {
    // AWS rejects a key for a plain parameter; text not confirmed [L].
    throw new AwsError('ValidationException', 'KeyId is required for SecureString type parameter only.')
  }
  if (value.length === 0) throw new AwsError('ValidationException', "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.")

  const tier = pickTier(input.Tier, prev?.tier, value)
  const allowedPattern: string | undefined = input.AllowedPattern ?? undefined
  // Terraform always sends AllowedPattern, "" when none is set: an empty pattern checks nothing.
  if (allowedPattern) checkPattern(allowedPattern, value)
  const dataType = input.DataType ?? 'text'
  if (dataType === 'aws:ec2:image' && !/^ami-[0-9a-f]{8,17}$/.test(value)) {
    // AWS validates the AMI asynchronously against EC2; here only its form [L].
    throw new AwsError('ValidationException', `The parameter value ${value} is not a valid AMI ID.`)
  }

  const doc: ParameterDoc = existing
    ? structuredClone(existing)
    : { account: ctx.account, region: ctx.region, name, versions: [], tags: {} }
  if (!existing && tags) doc.tags = checkTags({}, tags)
  const version: ParameterVersion = {
    version: prev ? prev.version + 1 : 1,
    type,
    value,
    ...(type === 'SecureString' ? { keyId: input.KeyId ?? (prev?.type === 'SecureString' ? prev.keyId : undefined) ?? DEFAULT_KEY_ID } : {}),
    // An overwrite without a description or pattern keeps the previous one (AWS does) [M].
    ...(input.Description !== undefined ? { description: input.Description } : prev?.description !== undefined ? { description: prev.description } : {}),
    ...(allowedPattern !== undefined ? { allowedPattern } : {}),
    tier,
    dataType,
    ...(input.Policies ? { policies: input.Policies } : {}),
    labels: [],
    lastModified: ctx.now(),
    lastModifiedUser: ctx.principalArn,
  }
  doc.versions.push(version)
  if (doc.versions.length > MAX_VERSIONS) {
    const oldest = doc.versions[0]!
    if (oldest.labels.length > 0) {
      throw new AwsError(
        'ParameterMaxVersionLimitExceeded',
        `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      )
    }
    doc.versions.shift()
  }
  await state.put(doc)
  return { Version: version.version, Tier: tier }
}

function pickTier(requested: string | undefined, previous: string | undefined, value: string): string {
  const size = Buffer.byteLength(value, 'utf8')
  if (size > ADVANCED_MAX) {
    throw new AwsError('ValidationException', `Parameter value can't exceed ${ADVANCED_MAX} characters for the advanced-parameter tier.`)
  }
  if (requested === 'Intelligent-Tiering') return size > STANDARD_MAX || previous === 'Advanced' ? 'Advanced' : 'Standard'
  const tier = requested ?? previous ?? 'Standard'
  if (previous === 'Advanced' && tier === 'Standard') {
    throw new AwsError(
      'ValidationException',
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    )
  }
  if (tier === 'Standard' && size > STANDARD_MAX) {
    throw new AwsError(
      'ValidationException',
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    )
  }
  return tier
}

/**
 * AllowedPattern is a Java regex searched for in the value (AWS's own example, `^\d+$`, anchors
 * itself); JavaScript's syntax covers the common subset.
 */
function checkPattern(pattern: string, value: string): void {
  let re: RegExp
  try {
    re = new RegExp(pattern, 'u')
  } catch {
    throw new AwsError('ValidationException', `Invalid AllowedPattern: ${pattern}`)
  }
  if (!re.test(value)) {
    throw new AwsError('ValidationException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`)
  }
}
