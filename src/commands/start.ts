import { Flags } from '@oclif/core'
import { durationFlag, KecsCommand, nameFlag } from '../cli/command.js'
import { currentLauncher, startDetached } from '../cli/detach.js'
import { parseDuration } from '../lib/duration.js'
import { loadForeground } from '../cli/instance-module.js'
import { readyLines } from '../cli/printers.js'
import { instanceDir, isFirstStart, kecsHome, logFile } from '../cli/registry.js'
import { allowHosts, START_DEFAULTS, type StartOptions } from '../cli/start-options.js'
import { CLUSTER_CHOICES } from '../cluster/providers.js'
import { resolve } from 'node:path'
import { loadAuthCredentials } from '../cli/auth-credentials.js'
import { CliError } from '../lib/errors.js'
import { parseAwsEndpoint } from '../server/aws-forward.js'
import { exposureWarning } from '../cli/exposure.js'

/** The endpoint as given, once it reads as an http(s) URL. */
function checkAwsEndpoint(value: string): string {
  try {
    parseAwsEndpoint(value)
  } catch (e) {
    throw new CliError((e as Error).message, 'Give the URL of the endpoint to forward other AWS services to, e.g. --aws-endpoint http://localhost:4566.')
  }
  return value
}

export default class Start extends KecsCommand {
  static override summary = 'Start a KECS instance: the ECS API, its store and admin endpoint'
  static override description =
    'Runs in the foreground (one log line per request, Ctrl+C stops it) unless -d is given, which starts ' +
    'the same instance in the background, waits until it is ready and prints how to point AWS clients at it.'
  static override examples = ['<%= config.bin %> start', '<%= config.bin %> start -d', '<%= config.bin %> start --port 4566 --name ci -d']

  static override flags = {
    name: nameFlag,
    port: Flags.integer({ description: 'ECS API port', default: START_DEFAULTS.port, min: 0, max: 65535 }),
    'admin-port': Flags.integer({
      description: 'admin port (/health /ready /status /metrics)',
      default: START_DEFAULTS.adminPort,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({
      description: 'address the API listens on; anything but loopback exposes KECS to the network (a warning says what)',
      default: START_DEFAULTS.host,
    }),
    'admin-host': Flags.string({
      description: 'address the admin port listens on (default: 127.0.0.1, or --host when that is a loopback address)',
    }),
    'allow-host': Flags.string({
      description:
        'a host name requests may carry in Host and Origin besides localhost, 127.0.0.1, [::1], host.docker.internal and ' +
        "the pods' address (*.name: every name under it); repeatable; also KECS_ALLOW_HOSTS=a,b",
      multiple: true,
    }),
    cluster: Flags.string({
      description: 'Kubernetes cluster provider (auto: the first usable one, or none)',
      options: [...CLUSTER_CHOICES],
      default: START_DEFAULTS.cluster,
    }),
    kubeconfig: Flags.string({ description: 'kubeconfig of an existing cluster (--cluster existing)' }),
    context: Flags.string({ description: 'kubeconfig context to use (--cluster existing)' }),
    'inject-endpoint': Flags.boolean({
      description: "give every container AWS_ENDPOINT_URL (KECS's API) unless its task definition sets it",
      allowNo: true,
      default: true,
    }),
    auth: Flags.string({
      description: 'sigv4: every AWS call must carry a valid AWS Signature V4 (keys from --credentials-file and/or AWS_ACCESS_KEY_ID)',
      options: ['none', 'sigv4'],
      default: 'none',
      env: 'KECS_AUTH',
    }),
    'credentials-file': Flags.string({
      description: 'with --auth sigv4: an AWS shared credentials file (like ~/.aws/credentials); every profile\'s keys are accepted',
      env: 'KECS_CREDENTIALS_FILE',
    }),
    'aws-endpoint': Flags.string({
      description: 'forward calls for AWS services KECS does not serve to this endpoint (e.g. http://localhost:4566)',
      env: 'KECS_AWS_ENDPOINT',
    }),
    detach: Flags.boolean({ char: 'd', description: 'run in the background; logs go to <instance dir>/kecs.log' }),
    timeout: durationFlag({
      description: 'how long the cluster may take to start, and -d waits for readiness (e.g. 180s, 3m)',
      default: parseDuration(START_DEFAULTS.timeout),
      defaultHelp: async () => START_DEFAULTS.timeout,
    }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Start)
    const opts: StartOptions = {
      name: flags.name,
      host: flags.host,
      port: flags.port,
      adminHost: flags['admin-host'],
      adminPort: flags['admin-port'],
      allowHosts: allowHosts(flags['allow-host']),
      cluster: flags.cluster,
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      timeoutMs: flags.timeout,
      injectEndpoint: flags['inject-endpoint'],
      awsEndpoint: flags['aws-endpoint'] ? checkAwsEndpoint(flags['aws-endpoint']) : undefined,
      auth: flags.auth === 'sigv4' ? 'sigv4' : 'none',
      credentialsFile: flags['credentials-file'] ? resolve(flags['credentials-file']) : undefined,
      home: kecsHome(),
    }
    if (opts.credentialsFile && opts.auth !== 'sigv4') {
      throw new CliError('--credentials-file is only read with --auth sigv4', 'Add --auth sigv4, or leave out --credentials-file.')
    }
    // Fails fast (before -d spawns anything) on a missing or unreadable file, or no keys at all.
    if (opts.auth === 'sigv4') loadAuthCredentials({ file: opts.credentialsFile })
    // Said on stderr before anything starts (a detached child says it again in kecs.log).
    for (const line of exposureWarning(opts)) this.logToStderr(line)
    const firstStart = isFirstStart(opts.home)
    if (flags.detach) {
      const record = await startDetached(opts, currentLauncher(), (l) => this.log(l))
      const dir = instanceDir(record.name, opts.home)
      for (const line of readyLines(record, { logFile: logFile(dir), detached: true, firstStart })) this.log(line)
      return
    }
    // The instance itself (store, emulator, Kubernetes client, servers) loads only where it runs, not in `start -d`.
    const { isPlainOutput, runForeground } = await loadForeground()
    await runForeground(opts, {
      out: (l) => this.log(l),
      err: (l) => this.logToStderr(l),
      plain: isPlainOutput(),
      detachedChild: process.env.KECS_DETACHED === '1',
      firstStart,
    })
  }
}
