import type { HandlerMap } from '../types.js'
import { createService } from './create-service.js'
import { deleteService } from './delete-service.js'
import { handlers as query } from './query.js'
import { updateService } from './update-service.js'

/** The service operations: CreateService, UpdateService, DeleteService, DescribeServices, ListServices, ListServicesByNamespace. */
export const handlers: HandlerMap = {
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  ...query,
}
