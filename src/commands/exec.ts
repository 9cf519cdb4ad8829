import { Args, Flags } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { clusterFlag } from '../cli/api-flags.js'
import { runExec } from '../cli/exec.js'

export default class ExecCommand extends KecsCommand {
  static override summary = "Run a command in a task's container (ECS Exec)"
  static override description =
    'TASK is a task id (or a unique prefix of one) or ARN; the task must have been run with execute command enabled ' +
    '(run-task --enable-execute-command, or a service with it). Prints the command\'s output and exits with its exit code. ' +
    "ECS's ExecuteCommand checks the request; the command runs through the Kubernetes exec API of the instance's cluster " +
    '(the AWS CLI\'s execute-command needs the Session Manager plugin).'
  static override examples = [
    '<%= config.bin %> exec 1a2b3c4d -- env',
    '<%= config.bin %> exec 1a2b3c4d --container app -- sh -c "cat /etc/hostname; exit 3"',
    '<%= config.bin %> exec 1a2b3c4d -it -- sh',
  ]

  static override strict = false
  static override args = {
    task: Args.string({ description: 'task id or ARN', required: true }),
  }

  static override flags = {
    name: nameFlag,
    cluster: clusterFlag,
    container: Flags.string({ char: 'c', description: 'the container (required when the task has more than one)' }),
    interactive: Flags.boolean({ char: 'i', description: 'pass stdin to the command' }),
    tty: Flags.boolean({ char: 't', description: 'allocate a terminal' }),
  }

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(ExecCommand)
    const command = (argv as string[]).slice(1)
    const code = await runExec(
      {
        name: flags.name,
        ref: args.task,
        cluster: flags.cluster,
        container: flags.container,
        command,
        stdin: flags.interactive,
        tty: flags.tty,
      },
      { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    )
    process.exitCode = code
  }
}
