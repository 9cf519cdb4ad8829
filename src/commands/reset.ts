import { Flags } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { resetInstance, resetSummary } from '../cli/reset.js'

export default class Reset extends KecsCommand {
  static override summary = 'Empty a running KECS instance, as if it were new, without restarting it'
  static override description =
    'Removes every resource of every service (ECS, SSM, Secrets Manager, CloudWatch Logs, IAM) and the ' +
    "cluster's KECS namespaces; revisions count from 1 again. For a clean state between test suites."
  static override examples = ['<%= config.bin %> reset', '<%= config.bin %> reset --name ci --json']

  static override flags = {
    name: nameFlag,
    json: Flags.boolean({ description: 'print the answer as JSON ({ reset, ms, removed })' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Reset)
    const report = await resetInstance(flags.name)
    this.log(flags.json ? JSON.stringify(report) : resetSummary(flags.name, report))
  }
}
