import { Flags } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { runEvents } from '../cli/events.js'

export default class Events extends KecsCommand {
  static override summary = 'Stream the live events of a KECS instance'
  static override description =
    'One line per event (task, service and deployment state changes), as ECS sends them to EventBridge. ' +
    'Keeps streaming, and reconnects when the instance restarts, until Ctrl+C.'
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events --cluster default --service web',
    '<%= config.bin %> events --task 1a2b3c4d5e6f --json',
    '<%= config.bin %> events --since 10m',
  ]

  static override flags = {
    name: nameFlag,
    endpoint: Flags.string({ description: 'ECS endpoint of the instance (instead of --name), e.g. http://127.0.0.1:8080' }),
    cluster: Flags.string({ description: 'only events of this cluster (name or ARN)' }),
    service: Flags.string({ description: 'only events of this service (name or ARN)' }),
    task: Flags.string({ description: 'only events of this task (id or ARN)' }),
    'detail-type': Flags.string({ description: 'only events of this detail-type, e.g. "ECS Task State Change"', multiple: true }),
    since: Flags.string({ description: 'first replay the kept events since this time (ISO 8601) or this long ago (5m, 1h)' }),
    after: Flags.string({ description: 'first replay the kept events after this event id' }),
    json: Flags.boolean({ description: 'print each event as one line of JSON (EventBridge shape)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Events)
    const ac = new AbortController()
    const stop = () => ac.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await runEvents(
        {
          name: flags.name,
          endpoint: flags.endpoint,
          filters: { cluster: flags.cluster, service: flags.service, task: flags.task, detailType: flags['detail-type'] },
          since: flags.since,
          after: flags.after,
          json: flags.json,
        },
        { out: (l) => this.log(l), err: (l) => this.logToStderr(l), signal: ac.signal },
      )
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
