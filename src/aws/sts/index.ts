import type { AwsService } from '../service.js'
import { stsHandlers } from './handlers.js'

/** STS (query protocol, 2011-06-15): GetCallerIdentity, AssumeRole, GetSessionToken, GetAccessKeyInfo. Stateless: tokens say who they are. */
export const sts: AwsService<undefined> = {
  name: 'sts',
  protocol: 'query',
  modelFile: 'sts-2011-06-15.service.json',
  open: async () => undefined,
  handlers: stsHandlers,
}
