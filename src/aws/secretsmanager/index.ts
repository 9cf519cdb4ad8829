import type { AwsService } from '../service.js'
import { deleteSecret, restoreSecret } from './lifecycle.js'
import { getRandomPassword } from './password.js'
import { batchGetSecretValue, describeSecret, getSecretValue, listSecrets, listSecretVersionIds } from './read.js'
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy, tagResource, untagResource } from './resource.js'
import { updateSecretVersionStage } from './stages.js'
import { SecretsState } from './state.js'
import { createSecret, putSecretValue, updateSecret } from './write.js'

export { SecretsState } from './state.js'

/** Secrets Manager (json 1.1, `secretsmanager.<Op>`). */
export const secretsmanager: AwsService<SecretsState> = {
  name: 'secretsmanager',
  protocol: 'json',
  modelFile: 'secretsmanager-2017-10-17.service.json',
  open: (store) => SecretsState.open(store),
  handlers: {
    CreateSecret: createSecret,
    DescribeSecret: describeSecret,
    GetSecretValue: getSecretValue,
    BatchGetSecretValue: batchGetSecretValue,
    PutSecretValue: putSecretValue,
    UpdateSecret: updateSecret,
    UpdateSecretVersionStage: updateSecretVersionStage,
    ListSecrets: listSecrets,
    ListSecretVersionIds: listSecretVersionIds,
    DeleteSecret: deleteSecret,
    RestoreSecret: restoreSecret,
    TagResource: tagResource,
    UntagResource: untagResource,
    GetResourcePolicy: getResourcePolicy,
    PutResourcePolicy: putResourcePolicy,
    DeleteResourcePolicy: deleteResourcePolicy,
    GetRandomPassword: getRandomPassword,
  },
}
