import type { HandlerMap } from './types.js'
import { handlers as taskDefinitions } from './task-definitions/handlers.js'
import { handlers as clusters } from './clusters/handlers.js'
import { handlers as tags } from './tags.js'
import { handlers as accountSettings } from './account-settings.js'
import { handlers as tasks } from './tasks/handlers.js'
import { handlers as services } from './services/handlers.js'
import { handlers as containerInstances } from './container-instances/handlers.js'
import { handlers as attributes } from './container-instances/attributes.js'
import { handlers as agent } from './agent/handlers.js'
import { handlers as exec } from './exec/execute-command.js'
import { handlers as daemons } from './daemons/handlers.js'
import { handlers as express } from './express/handlers.js'
import { handlers as gateways } from './gateways/handlers.js'
import { handlers as capacityProviders } from './capacity-providers/handlers.js'

/**
 * Every implemented operation, by name. Each resource family exports its own map; this joins them.
 * The set of names here is what the README's operations table lists as implemented.
 */
export const handlers: HandlerMap = {
  ...taskDefinitions,
  ...clusters,
  ...tags,
  ...accountSettings,
  ...tasks,
  ...services,
  ...containerInstances,
  ...attributes,
  ...agent,
  ...exec,
  ...daemons,
  ...express,
  ...gateways,
  ...capacityProviders,
}
