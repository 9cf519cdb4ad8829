import { CliError } from '../lib/errors.js'
import { humanMs } from '../lib/duration.js'
import type { Runner, RunResult } from './runner.js'

/**
 * What the Kind provider needs on the machine: the docker CLI, a daemon that answers `docker info`,
 * and the kind binary. Each missing piece is one error with the fix (docs/architecture.md#cli-errors).
 */
export const KIND_VERSION = 'v0.27.0'

export const KIND_INSTALL_FIX =
  `Install kind (${KIND_VERSION} or later): \`go install sigs.k8s.io/kind@${KIND_VERSION}\`, \`brew install kind\`, ` +
  `or the release binary from https://kind.sigs.k8s.io/docs/user/quick-start/#installation.`

const NO_DOCKER = 'Or run without Docker: kecs start --cluster emulated.'

export type PrereqProblem = 'docker-missing' | 'docker-down' | 'docker-denied' | 'docker-timeout' | 'kind-missing' | 'kind-broken'

/** A prerequisite that is not met; `problem` says which, for callers that choose a fallback. */
export class PrereqError extends CliError {
  constructor(
    readonly problem: PrereqProblem,
    message: string,
    /** How to fix it on this machine; the hint adds the Docker-free alternative. */
    readonly fix: string,
  ) {
    super(message, `${fix} ${NO_DOCKER}`)
    this.name = 'PrereqError'
  }
}

export interface KindTools {
  /** The Docker daemon's version (`docker info`'s ServerVersion). */
  dockerVersion: string
  /** `kind version`'s version, e.g. v0.27.0. */
  kindVersion: string
}

/** `docker info` on a healthy daemon answers in well under a second; a hung one must not hang `kecs start`. */
const DOCKER_INFO_TIMEOUT_MS = 15_000
const VERSION_TIMEOUT_MS = 10_000

const firstLine = (r: RunResult) =>
  (r.stderr.split('\n').find((l) => l.trim() !== '') ?? r.stdout.split('\n').find((l) => l.trim() !== '') ?? '').trim()

/** The docker CLI is there and its daemon answers; returns the daemon's version. */
export async function checkDocker(run: Runner): Promise<string> {
  const cli = await run('docker', ['--version'], { timeoutMs: VERSION_TIMEOUT_MS })
  if (cli.notFound) {
    throw new PrereqError(
      'docker-missing',
      'Docker is not installed: the `docker` command is not on PATH',
      'Install Docker (https://docs.docker.com/get-docker/) and start it.',
    )
  }
  const info = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: DOCKER_INFO_TIMEOUT_MS })
  if (info.timedOut) {
    throw new PrereqError(
      'docker-timeout',
      `the Docker daemon did not answer \`docker info\` within ${humanMs(DOCKER_INFO_TIMEOUT_MS)}`,
      'Restart Docker (Docker Desktop, or `sudo systemctl restart docker`) and try again.',
    )
  }
  const out = `${info.stdout}\n${info.stderr}`
  // `docker info` may exit 0 with the server part missing (it prints the error under "Server:").
  const serverVersion = info.stdout.trim().split('\n')[0]?.trim() ?? ''
  if (info.exitCode !== 0 || serverVersion === '' || /Cannot connect to the Docker daemon|error during connect/i.test(out)) {
    const why = firstLine(info) || `docker info exited with ${info.exitCode}`
    if (/permission denied/i.test(out)) {
      throw new PrereqError(
        'docker-denied',
        `cannot talk to the Docker daemon: ${why}`,
        'Give your user access to Docker (`sudo usermod -aG docker $USER`, then log in again).',
      )
    }
    throw new PrereqError(
      'docker-down',
      `the Docker daemon is not running: ${why}`,
      'Start Docker (open Docker Desktop, or `sudo systemctl start docker`) and run kecs start again.',
    )
  }
  return serverVersion
}

/** The kind binary is there and runs; returns its version (v0.27.0). */
export async function checkKind(run: Runner): Promise<string> {
  const r = await run('kind', ['version'], { timeoutMs: VERSION_TIMEOUT_MS })
  if (r.notFound) throw new PrereqError('kind-missing', 'kind is not installed: the `kind` command is not on PATH', KIND_INSTALL_FIX)
  if (r.exitCode !== 0) {
    throw new PrereqError('kind-broken', `\`kind version\` failed: ${firstLine(r) || `exit code ${r.exitCode}`}`, KIND_INSTALL_FIX)
  }
  // "kind v0.27.0 go1.23.6 linux/amd64"
  return /v\d+\.\d+\.\d+\S*/.exec(r.stdout)?.[0] ?? r.stdout.trim()
}

/** Docker then kind, in that order; throws the first PrereqError. */
export async function checkKindPrereqs(run: Runner): Promise<KindTools> {
  const dockerVersion = await checkDocker(run)
  const kindVersion = await checkKind(run)
  return { dockerVersion, kindVersion }
}

/** Ends a message with one full stop (Docker's own error already ends with "?"). */
const sentence = (s: string) => (/[.?!]$/.test(s) ? s : `${s}.`)

/** Why the Kind provider cannot run here (one line with the fix), or undefined when it can. */
export async function kindUnavailable(run: Runner): Promise<string | undefined> {
  try {
    await checkKindPrereqs(run)
    return undefined
  } catch (e) {
    if (e instanceof PrereqError) return `${sentence(e.message)} ${e.hint}`
    throw e
  }
}

export interface AutoChoice {
  provider: 'kind' | 'emulated'
  /** One line to print loudly at start and show in status, e.g. why Kind was not used. */
  reason: string
}

/** `--cluster auto`: Kind when Docker, its daemon and kind all work, else the emulated cluster. */
export async function chooseAuto(run: Runner): Promise<AutoChoice> {
  try {
    const t = await checkKindPrereqs(run)
    return { provider: 'kind', reason: `Docker ${t.dockerVersion} and kind ${t.kindVersion} are usable: using a Kind cluster` }
  } catch (e) {
    if (!(e instanceof PrereqError)) throw e
    return {
      provider: 'emulated',
      reason: `using the emulated cluster (pods are simulated, not run) because ${sentence(e.message)} For real containers: ${e.fix}`,
    }
  }
}
