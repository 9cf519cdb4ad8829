import { Args, Flags } from '@oclif/core'
import { chalkStderr } from 'chalk'
import { durationFlag, KecsCommand, nameFlag } from '../cli/command.js'
import { endpointFlag } from '../cli/api-flags.js'
import { runDeploy } from '../cli/deploy.js'
import { parseDuration } from '../lib/duration.js'

export default class Deploy extends KecsCommand {
  static override summary = 'Create or update a service from ECS service JSON and follow the rollout'
  static override description =
    'FILE holds what `aws ecs create-service --cli-input-json` takes (serviceName, taskDefinition, desiredCount, ...). ' +
    'A service that does not exist is created; an existing one is updated (UpdateService: launchType, role, ' +
    'schedulingStrategy and tags cannot change). Then follows the new deployment until it completes (exit 0) or ' +
    'fails — deployment circuit breaker, rollback, --timeout — (exit 1, printing the service’s latest events).'
  static override examples = [
    '<%= config.bin %> deploy kecs/service.json',
    '<%= config.bin %> deploy service.json --cluster ci --timeout 5m',
    '<%= config.bin %> deploy service.json --force-new-deployment',
  ]

  static override args = {
    file: Args.string({ description: 'service JSON file (CreateService input)', required: true }),
  }

  static override flags = {
    name: nameFlag,
    endpoint: endpointFlag,
    cluster: Flags.string({ description: 'cluster name or ARN (default: the file’s "cluster", else default)' }),
    timeout: durationFlag({
      description: 'how long the rollout may take (e.g. 10m)',
      default: parseDuration('10m'),
      defaultHelp: async () => '10m',
    }),
    wait: Flags.boolean({ description: 'follow the rollout until steady state or failure', default: true, allowNo: true }),
    'force-new-deployment': Flags.boolean({ description: 'start a new deployment even when nothing changed (update only)' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Deploy)
    const ac = new AbortController()
    const stop = () => ac.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await runDeploy(
        {
          name: flags.name,
          endpoint: flags.endpoint,
          file: args.file,
          cluster: flags.cluster,
          timeoutMs: flags.timeout,
          wait: flags.wait,
          forceNewDeployment: flags['force-new-deployment'],
        },
        { out: (l) => this.log(l), err: (l) => this.logToStderr(l), signal: ac.signal, errChalk: chalkStderr },
      )
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
