import { Flags } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { withApi } from '../cli/api.js'
import { ensureDefaultCluster } from '../cli/default-cluster.js'
import { clusterFlag, endpointFlag, jsonFlag } from '../cli/api-flags.js'
import { listTasks, TASK_STATUSES, tasksTable, type TaskStatusChoice } from '../cli/listings.js'

export default class Tasks extends KecsCommand {
  static override summary = 'List the tasks of a cluster'
  static override description =
    'Running and recently stopped tasks (--status picks one desired status, as ListTasks filters them); ' +
    '--json prints DescribeTasks output.'
  static override examples = [
    '<%= config.bin %> tasks',
    '<%= config.bin %> tasks --service web --status running',
    '<%= config.bin %> tasks --cluster ci --json',
  ]

  static override flags = {
    name: nameFlag,
    endpoint: endpointFlag,
    cluster: clusterFlag,
    service: Flags.string({ description: 'only tasks of this service' }),
    status: Flags.string({
      description: 'desired status of the tasks to list',
      options: TASK_STATUSES.map((s) => s.toLowerCase()),
      default: 'all',
    }),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Tasks)
    const status = flags.status.toUpperCase() as TaskStatusChoice
    const tasks = await withApi(flags, async (api) => {
      await ensureDefaultCluster(api.ecs, flags.cluster, (l) => this.logToStderr(l))
      return listTasks(api.ecs, { cluster: flags.cluster, serviceName: flags.service, status })
    })
    if (flags.json) this.log(JSON.stringify(tasks, null, 2))
    else for (const line of tasksTable(tasks, { cluster: flags.cluster, status, service: flags.service })) this.log(line)
  }
}
