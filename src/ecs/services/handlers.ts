import type { HandlerMap } from '../types.js'
import { createService } from './create-service.js'
import { deleteService } from './delete-service.js'
import { handlers as query } from './query.js'
import { handlers as serviceDeployments } from './service-deployments-api.js'
import { handlers as taskSets } from './task-sets.js'
import { updateService } from './update-service.js'

/**
 * The service operations: CreateService, UpdateService, DeleteService, DescribeServices, ListServices,
 * ListServicesByNamespace; the service deployments API; task sets (EXTERNAL deployment controller).
 */
export const handlers: HandlerMap = {
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  ...query,
  ...serviceDeployments,
  ...taskSets,
}
