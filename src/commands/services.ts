import { KecsCommand, nameFlag } from '../cli/command.js'
import { withApi } from '../cli/api.js'
import { ensureDefaultCluster } from '../cli/default-cluster.js'
import { clusterFlag, endpointFlag, jsonFlag } from '../cli/api-flags.js'
import { listServices, servicesTable } from '../cli/listings.js'

export default class Services extends KecsCommand {
  static override summary = 'List the services of a cluster'
  static override description = 'Desired, running and pending counts, task definition and rollout state; --json prints DescribeServices output.'
  static override examples = ['<%= config.bin %> services', '<%= config.bin %> services --cluster prod --json']

  static override flags = { name: nameFlag, endpoint: endpointFlag, cluster: clusterFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Services)
    const services = await withApi(flags, async (api) => {
      await ensureDefaultCluster(api.ecs, flags.cluster, (l) => this.logToStderr(l))
      return listServices(api.ecs, flags.cluster)
    })
    if (flags.json) this.log(JSON.stringify(services, null, 2))
    else for (const line of servicesTable(services, flags.cluster)) this.log(line)
  }
}
