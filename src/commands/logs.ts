import { Args, Flags } from '@oclif/core'
import { chalkStderr } from 'chalk'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { clusterFlag, endpointFlag } from '../cli/api-flags.js'
import { runLogs } from '../cli/logs.js'

export default class Logs extends KecsCommand {
  static override summary = "Print a task's or a service's container logs"
  static override description =
    'TASK is a task id (or a unique prefix of one, as `kecs tasks` shows) or ARN: its containers\' logs, live from the ' +
    'cluster while the task runs, the kept tail after it stopped. SERVICE is a service name or ARN: its running tasks\' ' +
    'lines, interleaved with a `<task>/<container> |` prefix. With -f, follows until the task stops (a service: until ' +
    'Ctrl+C, picking up the tasks it starts).'
  static override examples = [
    '<%= config.bin %> logs 1a2b3c4d',
    '<%= config.bin %> logs web -f --cluster prod',
    '<%= config.bin %> logs arn:aws:ecs:us-east-1:000000000000:task/default/1a2b... --container app --tail 50',
    '<%= config.bin %> logs web --since 10m --timestamps',
  ]

  static override args = {
    target: Args.string({ description: 'task id or ARN, or service name or ARN', required: true }),
  }

  static override flags = {
    name: nameFlag,
    endpoint: endpointFlag,
    cluster: clusterFlag,
    container: Flags.string({ char: 'c', description: 'only this container' }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines until the task stops' }),
    tail: Flags.integer({ description: 'the last N lines of each container (-1: all)', min: -1 }),
    since: Flags.string({ description: 'only lines since this time (ISO 8601) or this long ago (30s, 5m, 1h)' }),
    timestamps: Flags.boolean({ char: 't', description: 'prefix each line with its RFC 3339 timestamp' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs)
    const ac = new AbortController()
    const stop = () => ac.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await runLogs(
        {
          name: flags.name,
          endpoint: flags.endpoint,
          ref: args.target,
          cluster: flags.cluster,
          container: flags.container,
          follow: flags.follow,
          tail: flags.tail,
          since: flags.since,
          timestamps: flags.timestamps,
        },
        { out: (l) => this.log(l), err: (l) => this.logToStderr(l), signal: ac.signal, errChalk: chalkStderr },
      )
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
