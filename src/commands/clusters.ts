import { KecsCommand, nameFlag } from '../cli/command.js'
import { withApi } from '../cli/api.js'
import { endpointFlag, jsonFlag } from '../cli/api-flags.js'
import { clustersTable, listClusters } from '../cli/listings.js'

export default class Clusters extends KecsCommand {
  static override summary = 'List the clusters of a KECS instance'
  static override description = 'One row per cluster with its task and service counts; --json prints DescribeClusters output.'
  static override examples = ['<%= config.bin %> clusters', '<%= config.bin %> clusters --json']

  static override flags = { name: nameFlag, endpoint: endpointFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Clusters)
    const clusters = await withApi(flags, (api) => listClusters(api.ecs))
    if (flags.json) this.log(JSON.stringify(clusters, null, 2))
    else for (const line of clustersTable(clusters)) this.log(line)
  }
}
