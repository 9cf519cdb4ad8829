import type { Store } from '../store/store.js'
import { secretsmanager } from './secretsmanager/index.js'
import { logsService } from './logs/index.js'
import type { AwsService } from './service.js'
import { ssm } from './ssm/index.js'
import { iam } from './iam/index.js'
import { sts } from './sts/index.js'
import { servicediscovery } from './servicediscovery/index.js'

/**
 * The neighbour services the API port serves beside ECS. Each module under src/aws/<service>/ exports
 * one AwsService; add it here.
 */
export const AWS_SERVICES: AwsService<any>[] = [ssm, secretsmanager, logsService, iam, sts, servicediscovery]

/** A service with its opened state. */
export interface OpenedService<S = unknown> {
  service: AwsService<S>
  state: S
}

/** Opens every service's state on the instance store, by service name (`ssm`, `logs`, ...). */
export async function openAwsServices(store: Store, services: AwsService<any>[] = AWS_SERVICES): Promise<Map<string, OpenedService<any>>> {
  const out = new Map<string, OpenedService<any>>()
  for (const service of services) out.set(service.name, { service, state: await service.open(store) })
  return out
}
