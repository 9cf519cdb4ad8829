import { KecsCommand, nameFlag } from '../cli/command.js'
import { envLines } from '../cli/env.js'
import { CliError } from '../lib/errors.js'
import { instanceDir, instanceState, nameSuffix } from '../cli/registry.js'

export default class Env extends KecsCommand {
  static override summary = 'Print the environment that points AWS clients at a running instance'
  static override description = 'Use it as: eval "$(kecs env)"'
  static override examples = ['eval "$(<%= config.bin %> env)"', '<%= config.bin %> env --name ci']

  static override flags = { name: nameFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Env)
    const st = instanceState(instanceDir(flags.name))
    if (st.state !== 'running') {
      throw new CliError(`KECS "${flags.name}" is not running`, `Start it with: kecs start -d${nameSuffix(flags.name)}`)
    }
    for (const line of envLines(st.record)) this.log(line)
  }
}
