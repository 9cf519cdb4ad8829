import { Args, Flags } from '@oclif/core'
import { chalkStderr } from 'chalk'
import { durationFlag, KecsCommand, nameFlag } from '../cli/command.js'
import { clusterFlag, endpointFlag } from '../cli/api-flags.js'
import { runTask } from '../cli/run.js'

export default class Run extends KecsCommand {
  static override summary = 'Run a task and exit with its essential container’s exit code'
  static override description =
    'RunTask, then prints the task’s state changes (stderr) and, with --follow, its containers’ logs (stdout) until ' +
    'it stops. Exits 0 when every essential container exited 0, with the first non-zero exit code otherwise (tasks in ' +
    'the order RunTask started them), and 1 with the reason when a task fails to start (e.g. CannotPullContainerError). ' +
    'Made for CI steps.'
  static override examples = [
    '<%= config.bin %> run migrate --follow',
    '<%= config.bin %> run integration-tests:3 --env SUITE=smoke --env API_TOKEN --follow',
    '<%= config.bin %> run worker --count 3 --cluster ci --container worker --env MODE=batch',
  ]

  static override args = {
    taskDefinition: Args.string({ description: 'task definition: family, family:revision or ARN', required: true }),
  }

  static override flags = {
    name: nameFlag,
    endpoint: endpointFlag,
    cluster: clusterFlag,
    count: Flags.integer({ description: 'how many tasks to run', default: 1, min: 1, max: 10 }),
    env: Flags.string({
      char: 'e',
      description: 'environment override NAME=VALUE (NAME alone: its value in this shell); repeatable',
      multiple: true,
      default: [],
    }),
    container: Flags.string({ char: 'c', description: 'the container --env applies to (needed when the task definition has several)' }),
    follow: Flags.boolean({ char: 'f', description: 'print the containers’ logs as well' }),
    'launch-type': Flags.string({ description: 'launch type', options: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] }),
    subnet: Flags.string({ description: 'subnet for awsvpc task definitions (default: a placeholder KECS accepts)', multiple: true }),
    timeout: durationFlag({ description: 'give up waiting after this long (e.g. 10m); the tasks keep running' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run)
    const ac = new AbortController()
    const stop = () => ac.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await runTask(
        {
          name: flags.name,
          endpoint: flags.endpoint,
          taskDefinition: args.taskDefinition,
          cluster: flags.cluster,
          count: flags.count,
          env: flags.env,
          container: flags.container,
          follow: flags.follow,
          launchType: flags['launch-type'],
          subnets: flags.subnet,
          timeoutMs: flags.timeout,
        },
        { out: (l) => this.log(l), err: (l) => this.logToStderr(l), signal: ac.signal, errChalk: chalkStderr },
      )
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
