import { KecsCommand, nameFlag } from '../cli/command.js'
import { endpointFlag } from '../cli/api-flags.js'
import { openUi } from '../cli/open-ui.js'

export default class Ui extends KecsCommand {
  static override summary = 'Open the web UI of a KECS instance in the default browser'
  static override description =
    'The UI is served by the instance at <endpoint>/ui: clusters, services, tasks, task definitions and the live ' +
    'event feed. Where no browser can be opened (no desktop session, CI, BROWSER=none) the URL is printed instead.'
  static override examples = ['<%= config.bin %> ui', '<%= config.bin %> ui --name ci']

  static override flags = { name: nameFlag, endpoint: endpointFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Ui)
    await openUi({ name: flags.name, endpoint: flags.endpoint }, { out: (l) => this.log(l), err: (l) => this.logToStderr(l) })
  }
}
