import type { BenchSuite } from '../types.js'
import createCluster from './create-cluster.js'
import registerTaskDefinition from './register-task-definition.js'
import taskDefinitions10k from './task-definitions-10k.js'
import tasks from './tasks.js'
import services from './services.js'
import wsLatency from './ws-latency.js'
import emulator from './emulator.js'
import ecsApi10k from './ecs-api-10k.js'
import memory from './memory.js'
import reset from './reset.js'
import startup from './startup.js'
import webUi from './web-ui.js'

/** Every suite `npm run bench` knows, in run order. Add yours with one import and one entry. */
export const suites: BenchSuite[] = [
  ecsApi10k,
  startup,
  memory,
  reset,
  tasks,
  wsLatency,
  createCluster,
  registerTaskDefinition,
  taskDefinitions10k,
  services,
  emulator,
  webUi,
]
