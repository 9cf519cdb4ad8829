import type { Tag, TaskOverride } from '@aws-sdk/client-ecs'
import type { Wire } from '../../ecs/types.js'
import type { Ignored } from './unsupported.js'
import type { NeededSecret } from './secrets.js'

export type TaskOverrides = Wire<TaskOverride>

/** Where and for whom objects are made: shared by taskToPod and serviceToWorkload. */
export interface ConvertContext {
  clusterName: string
  clusterArn: string
  region: string
  account: string
  /** EC2 (default), FARGATE, EXTERNAL, ...: decides AWS_EXECUTION_ENV. */
  launchType?: string
  /** URL of the KECS ECS API reachable from inside the cluster (AWS_ENDPOINT_URL_ECS). */
  ecsEndpoint: string
  /**
   * KECS's API for every AWS service as pods reach it (AWS_ENDPOINT_URL: SSM, Secrets Manager, Logs, STS,
   * IAM are served on the ECS API port); absent: not injected (`kecs start --no-inject-endpoint`).
   */
  awsEndpoint?: string
  /** Base URL of the task metadata endpoint KECS serves, e.g. `http://host:port` (no trailing path). */
  metadataEndpoint: string
  tags?: Wire<Tag>[]
}

/** The parts every converter returns besides its objects. */
export interface ConvertReport {
  /** Secrets KECS must create in the namespace before the pod can start (see secrets.ts). */
  secrets: NeededSecret[]
  /** Settings ECS accepts that KECS could not map; the caller lists them. */
  ignored: Ignored[]
}
