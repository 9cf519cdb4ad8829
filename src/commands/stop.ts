import { Flags } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { stopInstance } from '../cli/stop.js'

export default class Stop extends KecsCommand {
  static override summary = 'Stop a running KECS instance'
  static override description =
    'Sends SIGTERM (in-flight requests finish, the store closes), SIGKILL if it does not exit in time. ' +
    'Cleans up after an instance that was killed. Succeeds when nothing runs.'
  static override examples = ['<%= config.bin %> stop', '<%= config.bin %> stop --name ci --delete-cluster']

  static override flags = {
    name: nameFlag,
    'delete-cluster': Flags.boolean({ description: 'also delete the cluster the instance created (e.g. its Kind cluster)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Stop)
    await stopInstance(flags.name, { deleteCluster: flags['delete-cluster'], log: (l) => this.log(l) })
  }
}
