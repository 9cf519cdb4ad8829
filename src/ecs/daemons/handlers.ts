import type { HandlerMap } from '../types.js'
import { handlers as daemons } from './daemons.js'
import { handlers as deployments } from './deployments.js'
import { handlers as taskDefinitions } from './task-definitions.js'

/** The daemon operations (ECS Managed Daemons), run as DaemonSets through the service machinery. */
export const handlers: HandlerMap = { ...daemons, ...deployments, ...taskDefinitions }
