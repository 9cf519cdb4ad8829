import type { BenchSuite } from '../types.js'
import createCluster from './create-cluster.js'
import registerTaskDefinition from './register-task-definition.js'
import taskDefinitions10k from './task-definitions-10k.js'
import tasks from './tasks.js'
import services from './services.js'
import wsLatency from './ws-latency.js'
import emulator from './emulator.js'
import webUi from './web-ui.js'

/** Every suite `npm run bench` knows, in run order. Add yours with one import and one entry. */
export const suites: BenchSuite[] = [createCluster, registerTaskDefinition, taskDefinitions10k, tasks, services, wsLatency, emulator, webUi]
