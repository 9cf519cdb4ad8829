import type { ExpressGatewayServiceConfiguration } from '@aws-sdk/client-ecs'
import type { Wire } from '../types.js'

/**
 * What an Express Mode service (an ordinary ECS service KECS made) keeps besides its service doc, in
 * `ServiceDoc.kecs.express`: the infrastructure role, where its endpoint answers on the KECS host (a
 * host port forwarded to the primary container's port, as static host ports are), and the
 * configuration each of its deployments runs.
 */
export interface ExpressInternal {
  infrastructureRoleArn: string
  /** The primary container (`Main`) and its port, served on the KECS host at hostPort. */
  containerName: string
  containerPort: number
  hostPort: number
  endpoint: string
  /** By service deployment id: the configuration it runs (without its revision ARN and ingress paths). */
  configurations: Record<string, ExpressConfiguration>
  updatedAt: number
}

export type ExpressConfiguration = Omit<Wire<ExpressGatewayServiceConfiguration>, 'serviceRevisionArn' | 'ingressPaths'>
