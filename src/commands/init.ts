import { Flags } from '@oclif/core'
import { resolve } from 'node:path'
import { KecsCommand } from '../cli/command.js'
import { scaffold, scaffoldLines } from '../cli/init.js'

export default class Init extends KecsCommand {
  static override summary = 'Add a KECS CI workflow and a sample task definition and service to this project'
  static override description =
    'Writes .github/workflows/kecs.yml (install kind, `kecs start -d`, `eval "$(kecs env)"`, run the tests, ' +
    '`kecs stop --delete-cluster`), kecs/task-definition.json and kecs/service.json. Existing files are never ' +
    'overwritten: they are skipped and listed.'
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --dir ../my-service']

  static override flags = {
    dir: Flags.string({ description: 'project directory to write into', default: '.' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Init)
    for (const line of scaffoldLines(scaffold(resolve(flags.dir)))) this.log(line)
  }
}
