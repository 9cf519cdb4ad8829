import { Flags } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { statusLines } from '../cli/printers.js'
import { instanceStatus } from '../cli/status.js'

export default class Status extends KecsCommand {
  static override summary = 'Show whether a KECS instance runs, where, and what it holds'
  static override description = 'Exits non-zero when the instance is not running (for scripts).'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']

  static override flags = {
    name: nameFlag,
    json: Flags.boolean({ description: 'print the status as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Status)
    const report = await instanceStatus(flags.name)
    if (flags.json) this.log(JSON.stringify(report, null, 2))
    else for (const line of statusLines(report)) (report.state === 'running' ? this.log : this.logToStderr).call(this, line)
    if (report.state !== 'running') this.exit(report.state === 'unresponsive' ? 2 : 1)
  }
}
