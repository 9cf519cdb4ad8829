import { AwsError } from '../service.js'

/**
 * IAM's wire errors (the model's `error.code` and `httpStatusCode`). Message texts follow the fact
 * sheet (shared/notes/aws-neighbours.md §5.3); the ones marked there as moto-only are best guesses.
 */
export const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404)
export const entityAlreadyExists = (message: string) => new AwsError('EntityAlreadyExists', message, 409)
export const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409)
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 409)
export const malformedPolicy = (message: string) => new AwsError('MalformedPolicyDocument', message, 400)
export const invalidInput = (message: string) => new AwsError('InvalidInput', message, 400)
export const validationError = (message: string) => new AwsError('ValidationError', message, 400)
export const unmodifiable = (message: string) => new AwsError('UnmodifiableEntity', message, 400)
export const policyNotAttachable = (message: string) => new AwsError('PolicyNotAttachable', message, 400)

export const noSuchRole = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`)
export const noSuchPolicy = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`)
export const noSuchInstanceProfile = (name: string) => noSuchEntity(`Instance Profile ${name} cannot be found.`)
/** Service-linked roles are AWS's to change (text as IAM words it; not confirmed in a recorded response). */
export const protectedRole = (name: string) =>
  unmodifiable(`Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`)
