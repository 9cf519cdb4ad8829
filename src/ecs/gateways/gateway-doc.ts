import type { Gateway, GatewayClusterAssociationSummary } from '@aws-sdk/client-ecs'
import type { Wire } from '../types.js'

/** A gateway in `repos.gateways` with its cluster associations (src/ecs/gateways/handlers.ts). */
export type GatewayDoc = Wire<Gateway> & {
  gatewayArn: string
  name: string
  status: NonNullable<Gateway['status']>
  createdAt: number
  associations: { clusterArn: string; status: NonNullable<GatewayClusterAssociationSummary['status']> }[]
  clientToken?: string
}

