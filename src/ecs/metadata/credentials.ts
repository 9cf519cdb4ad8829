import { createHash } from 'node:crypto'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { TaskDoc } from '../tasks/task-doc.js'
import { encodeTaskRoleToken, type SessionSecret } from '../../lib/session-token.js'
import { rfc3339Seconds } from './format.js'

/**
 * The task role credentials endpoint (`GET /v2/credentials/<id>`, legacy `/v1/credentials?id=<id>`;
 * see docs/ecs-facts.md#container-environment-and-credentials). KECS has no IAM: the task gets stable dummy credentials for its role (the same for the
 * life of the task, so SDK caches behave), valid for six hours from the request. KECS's own ECS
 * endpoint accepts them like any others; with `--auth sigv4`, their signatures verify too. Errors are the agent's: `{"code","message","HTTPErrorCode"}`.
 */
const CREDENTIALS_LIFETIME_MS = 6 * 60 * 60 * 1000

/** The role a task's containers get credentials for: the override's, else the task definition's. */
export function taskRoleArnOf(task: TaskDoc, td: TaskDefinitionDoc | undefined): string | undefined {
  return task.overrides?.taskRoleArn || td?.taskRoleArn || undefined
}

export interface TaskCredentials {
  RoleArn: string
  AccessKeyId: string
  SecretAccessKey: string
  Token: string
  Expiration: string
}

/**
 * `secretFor` (with `--auth sigv4`): the secret is derived from the key id and the token under the
 * instance's session key (src/lib/session-token.ts), so calls the task signs with them verify.
 */
export function dummyCredentials(taskArn: string, roleArn: string, nowMs: number, secretFor?: SessionSecret): TaskCredentials {
  const digest = (salt: string) => createHash('sha256').update(`${salt}\0${taskArn}\0${roleArn}`).digest()
  const base32 = (b: Buffer) => [...b].map((x) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[x % 32]).join('')
  // ASIA: the prefix AWS gives temporary (STS) access keys.
  const AccessKeyId = `ASIA${base32(digest('akid')).slice(0, 16)}`
  // names the role and, as the session, the task (format and decoder: src/lib/session-token.ts)
  const Token = encodeTaskRoleToken(roleArn, Buffer.concat([digest('token'), digest('token2')]), taskArn.slice(taskArn.lastIndexOf('/') + 1))
  return {
    RoleArn: roleArn,
    AccessKeyId,
    SecretAccessKey: secretFor
      ? secretFor(AccessKeyId, Token)
      : digest('secret').toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(40, 'K').slice(0, 40),
    Token,
    Expiration: rfc3339Seconds(nowMs + CREDENTIALS_LIFETIME_MS),
  }
}

export interface CredentialsError {
  status: number
  body: { code: string; message: string; HTTPErrorCode: number }
}

export function credentialsError(kind: 'NoIdInRequest' | 'InvalidIdInRequest', apiVersion: 1 | 2): CredentialsError {
  const message =
    kind === 'NoIdInRequest'
      ? `CredentialsV${apiVersion}Request: No Credential ID in the request`
      : `CredentialsV${apiVersion}Request: Credentials not found`
  return { status: 400, body: { code: kind, message, HTTPErrorCode: 400 } }
}
