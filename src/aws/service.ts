import type { SessionSecret } from '../lib/session-token.js'
import type { Store } from '../store/store.js'

/**
 * The contract every neighbour AWS service (SSM, Secrets Manager, CloudWatch Logs, STS, IAM) meets,
 * modelled on LocalStack's provider framework and Miniflare's one-module-per-service: the protocol
 * codec (src/aws/protocol/) decodes and validates a request against the service's botocore model,
 * calls the handler with model-shaped input, and serializes its model-shaped output (or an AwsError)
 * in the protocol's own wire format. Handlers hold behaviour only: no HTTP, no JSON/XML.
 */

/** Who and where a request is for: from the SigV4 scope (region) and the instance (account). */
export interface AwsContext {
  region: string
  account: string
  requestId: string
  /** The service's operation name, as in the model (`PutParameter`). */
  operation: string
  /** The caller's principal ARN (`arn:aws:iam::<account>:root` unless the access key is a task role's). */
  principalArn: string
  /** The access key the request was signed with, when there was one. */
  accessKeyId?: string
  /** The clock (ms since epoch); injectable in tests. */
  now(): number
  /**
   * With `--auth sigv4`: the secret of a session credential KECS mints (STS AssumeRole,
   * GetSessionToken), derived from its key id and token so that calls signed with it verify.
   */
  sessionSecret?: SessionSecret
}

/**
 * A service error in the service's own terms. `code` is what goes on the wire: the JSON protocol's
 * `__type`, the query protocol's `<Code>` (the model's `error.code` where it has one, e.g. IAM's
 * `NoSuchEntity`). `status` defaults to the model's httpStatusCode for the shape, else 400
 * (500 for faults).
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    /** The query protocol's `<Type>`: Sender (client) unless the model says fault. */
    readonly sender = true,
  ) {
    super(message)
  }
}

/** One operation's behaviour: model-shaped input (validated) to model-shaped output. */
export type AwsHandler<S> = (input: any, ctx: AwsContext, state: S) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void

export type AwsProtocol = 'json' | 'query'

/** A neighbour service: its model, its protocol, its state and its operations. */
export interface AwsService<S = unknown> {
  /** The SigV4 signing name / endpoint prefix: `ssm`, `secretsmanager`, `logs`, `sts`, `iam`. */
  name: string
  protocol: AwsProtocol
  /** The botocore model file under src/aws/models/ (`ssm-2014-11-06.service.json`). */
  modelFile: string
  /** Opens (and loads) the service's state on the instance store; tables come from src/store/migrations.ts. */
  open(store: Store): Promise<S>
  /**
   * The code invalid input answers with (`1 validation error detected: ...`); default by protocol:
   * `ValidationException` (JSON; CloudWatch Logs: `InvalidParameterException`), `ValidationError` (query).
   */
  validationErrorCode?: string
  /** Implemented operations; any other operation of the model answers the protocol's clean "not implemented" error. */
  handlers: Record<string, AwsHandler<S>>
}
