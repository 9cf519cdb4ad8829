import { KecsCommand, nameFlag } from '../cli/command.js'
import { withApi } from '../cli/api.js'
import { endpointFlag, jsonFlag } from '../cli/api-flags.js'
import { listTaskDefinitionFamilies, taskDefinitionsTable } from '../cli/listings.js'

export default class TaskDefinitions extends KecsCommand {
  static override summary = 'List task definition families and their latest revisions'
  static override description = 'Families with at least one ACTIVE revision; --json prints {family, latestRevision, taskDefinitionArn, activeRevisions}.'
  static override examples = ['<%= config.bin %> task-definitions', '<%= config.bin %> task-definitions --json']

  static override flags = { name: nameFlag, endpoint: endpointFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(TaskDefinitions)
    const families = await withApi(flags, (api) => listTaskDefinitionFamilies(api.ecs))
    if (flags.json) this.log(JSON.stringify(families, null, 2))
    else for (const line of taskDefinitionsTable(families)) this.log(line)
  }
}
