import { AwsError } from '../service.js'

/** CloudWatch Logs' error texts (all HTTP 400), as recorded against real AWS (fact sheet 3.3). */
export const groupNotFound = () => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.')
export const streamNotFound = () => new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.')
export const groupExists = () => new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists')
export const streamExists = () => new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists')
export const badToken = () => new AwsError('InvalidParameterException', 'The specified nextToken is invalid.')
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message)
