/**
 * End-to-end: the BUILT CLI with fake `docker` and `kind` executables on PATH (this machine has no
 * Docker engine). The fake `kind get kubeconfig` hands back an emulated cluster's kubeconfig, so
 * `kecs start --cluster kind` goes the whole Kind path (checks, create, kubeconfig, API and node
 * Ready) against a real Kubernetes API, and a task runs there.
 */
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs'
import { CoreV1Api } from '@kubernetes/client-node'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js'
import { fakeTools, type FakeTools } from '../helpers/fake-kind.js'
import { closedPort, kubeconfigFor } from '../helpers/fake-kube-api.js'
import { BIN, ROOT, freePort } from '../helpers/cli.js'

const BUILT = existsSync(join(ROOT, 'dist', 'commands', 'load-image.js'))
const TIMEOUT = 60_000

let home: string
let emu: TestEmulator
let tools: FakeTools
const started = new Set<string>()

/** PATH holds only the fakes: the machine's real docker (if any) is never reached. */
const env = (t: FakeTools = tools): Record<string, string> => ({
  PATH: t.bin,
  HOME: home,
  KECS_HOME: home,
  CI: 'true',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
})

const kecs = (args: string[], t: FakeTools = tools, cwd = ROOT) => {
  if (args[0] === 'start') started.add(args.includes('--name') ? args[args.indexOf('--name') + 1]! : 'default')
  return execa(process.execPath, [BIN, ...args], { env: env(t), extendEnv: false, reject: false, timeout: 45_000, cwd })
}

const record = (name: string) => JSON.parse(readFileSync(join(home, 'instances', name, 'instance.json'), 'utf8'))

async function start(name: string, extra: string[] = [], t: FakeTools = tools) {
  const port = await freePort()
  const adminPort = await freePort()
  const r = await kecs(['start', '-d', '--name', name, '--port', String(port), '--admin-port', String(adminPort), ...extra], t)
  return { r, endpoint: `http://127.0.0.1:${port}` }
}

beforeAll(async () => {
  if (!BUILT) throw new Error('dist/ is missing or old: run `npm run build` first (`npm test` does)')
  home = mkdtempSync(join(tmpdir(), 'kecs-e2e-kind-'))
  emu = await startTestEmulator({ speed: 20 })
  tools = fakeTools({ kubeconfig: readFileSync(emu.kubeconfigPath, 'utf8'), images: ['app:dev'] })
}, TIMEOUT)

afterAll(async () => {
  for (const name of started) {
    if (existsSync(join(home, 'instances', name, 'instance.json'))) await kecs(['stop', '--name', name])
  }
  tools?.cleanup()
  await emu?.stop()
  if (home) rmSync(home, { recursive: true, force: true })
}, TIMEOUT)

describe('kecs start --cluster kind (fake docker and kind, emulated API behind them)', { timeout: TIMEOUT }, () => {
  let endpoint: string

  it('creates kecs-<name>, writes its kubeconfig and serves once the node is Ready', async () => {
    const s = await start('kf', ['--cluster', 'kind'])
    expect(s.r.exitCode, s.r.stderr + s.r.stdout).toBe(0)
    endpoint = s.endpoint
    const kinds = tools.calls().filter((c) => c.startsWith('kind '))
    expect(kinds.filter((c) => c.startsWith('kind create cluster --name kecs-kf '))).toHaveLength(1)
    expect(kinds.indexOf('kind get clusters')).toBeLessThan(kinds.findIndex((c) => c.startsWith('kind create')))
    expect(kinds.at(-1)).toBe('kind get kubeconfig --name kecs-kf')
    const rec = record('kf')
    expect(rec.clusterProvider).toBe('kind')
    expect(rec.kubeconfig).toBe(join(home, 'instances', 'kf', 'kubeconfig'))
    expect(readFileSync(rec.kubeconfig, 'utf8')).toContain(emu.url)
    const status = await kecs(['status', '--name', 'kf', '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'running', clusterProvider: 'kind' })
  })

  it('runs a task through the kind provider path', async () => {
    const ecs = new ECSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
    await ecs.send(new CreateClusterCommand({ clusterName: 'e2e' }))
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'hello',
        containerDefinitions: [{ name: 'main', image: 'app:dev', essential: true, memory: 64, command: ['sleep', '3600'] }],
      }),
    )
    const run = await ecs.send(new RunTaskCommand({ cluster: 'e2e', taskDefinition: 'hello' }))
    expect(run.failures ?? []).toEqual([])
    const arn = run.tasks![0]!.taskArn!
    const deadline = Date.now() + 30_000
    let last: string | undefined
    while (Date.now() < deadline) {
      const d = await ecs.send(new DescribeTasksCommand({ cluster: 'e2e', tasks: [arn] }))
      last = d.tasks?.[0]?.lastStatus
      if (last === 'RUNNING') break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(last).toBe('RUNNING')
    // The pod is in the cluster the fake kind handed over.
    const pods = await emu.kc.makeApiClient(CoreV1Api).listPodForAllNamespaces()
    expect(pods.items.map((p) => p.metadata?.name).join(' ')).toContain(arn.split('/').pop())
  })

  it('load-image loads into kecs-<name>', async () => {
    const r = await kecs(['load-image', 'app:dev', '--name', 'kf'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(tools.calls()).toContain('kind load docker-image app:dev --name kecs-kf')
    const bad = await kecs(['load-image', 'missing:1', '--name', 'kf'])
    expect(bad.exitCode).not.toBe(0)
    expect(bad.stderr).toContain('Error: kind could not load missing:1 into kecs-kf: ERROR: image: "missing:1" not present locally')
  })

  it('stop leaves the cluster; the next start reuses it; stop --delete-cluster deletes it', async () => {
    expect((await kecs(['stop', '--name', 'kf'])).exitCode).toBe(0)
    expect(tools.clusters()).toContain('kecs-kf')
    tools.resetCalls()
    const again = await start('kf', ['--cluster', 'kind'])
    expect(again.r.exitCode, again.r.stderr + again.r.stdout).toBe(0)
    expect(tools.calls().some((c) => c.startsWith('kind create'))).toBe(false)
    expect(tools.calls()).toContain('kind get kubeconfig --name kecs-kf')

    const del = await kecs(['stop', '--name', 'kf', '--delete-cluster'])
    expect(del.exitCode, del.stderr).toBe(0)
    expect(tools.calls().some((c) => c.startsWith('kind delete cluster --name kecs-kf'))).toBe(true)
    expect(tools.clusters()).not.toContain('kecs-kf')
  })

  it('stop --delete-cluster after a clean stop still deletes the Kind cluster', async () => {
    const again = await start('kf', ['--cluster', 'kind'])
    expect(again.r.exitCode, again.r.stderr + again.r.stdout).toBe(0)
    expect((await kecs(['stop', '--name', 'kf'])).exitCode).toBe(0)
    expect(tools.clusters()).toContain('kecs-kf')
    const del = await kecs(['stop', '--name', 'kf', '--delete-cluster'])
    expect(del.exitCode, del.stderr).toBe(0)
    expect(del.stdout).toContain('Deleted the Kind cluster kecs-kf')
    expect(tools.clusters()).not.toContain('kecs-kf')
  })
})

describe('clear failures', { timeout: TIMEOUT }, () => {
  it('Docker daemon down: one line with the fix, non-zero exit', async () => {
    const down = fakeTools({ docker: 'down' })
    try {
      const { r } = await start('down', ['--cluster', 'kind'], down)
      expect(r.exitCode).not.toBe(0)
      expect(r.stderr).toContain(
        'the Docker daemon is not running: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      )
      expect(r.stderr).toContain('Start Docker')
      expect(down.calls().filter((c) => c.startsWith('kind'))).toEqual([])
    } finally {
      down.cleanup()
    }
  })

  it('kind missing: how to install it', async () => {
    const nokind = fakeTools({ kind: 'missing' })
    try {
      const { r } = await start('nokind', ['--cluster', 'kind'], nokind)
      expect(r.exitCode).not.toBe(0)
      expect(r.stderr).toContain('kind is not installed')
      expect(r.stderr).toContain('go install sigs.k8s.io/kind@v0.27.0')
    } finally {
      nokind.cleanup()
    }
  })

  it("a failing create shows kind's stderr", async () => {
    const failing = fakeTools({ createError: 'ERROR: failed to create cluster: could not find a log line that matches "Reached target .*Multi-User System.*"' })
    try {
      const { r } = await start('failing', ['--cluster', 'kind'], failing)
      expect(r.exitCode).not.toBe(0)
      expect(r.stdout + r.stderr).toContain('kind could not create the cluster kecs-failing: ERROR: failed to create cluster: could not find a log line')
    } finally {
      failing.cleanup()
    }
  })
})

describe('kecs start --cluster existing', { timeout: TIMEOUT }, () => {
  it("serves on an emulated instance's kubeconfig", async () => {
    const s = await start('ex', ['--cluster', 'existing', '--kubeconfig', emu.kubeconfigPath])
    expect(s.r.exitCode, s.r.stderr + s.r.stdout).toBe(0)
    expect(record('ex')).toMatchObject({ clusterProvider: 'existing', kubeconfig: emu.kubeconfigPath })
    expect((await kecs(['stop', '--name', 'ex'])).exitCode).toBe(0)
  })

  it('an unreachable kubeconfig: a clear error, no hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-e2e-kc-'))
    try {
      const kc = join(dir, 'kubeconfig')
      writeFileSync(kc, kubeconfigFor(`http://127.0.0.1:${await closedPort()}`))
      const { r } = await start('unreach', ['--cluster', 'existing', '--kubeconfig', kc])
      expect(r.exitCode).not.toBe(0)
      expect(r.stdout + r.stderr).toMatch(/cannot use the existing cluster: cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+: connection refused/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('kecs init', () => {
  it('writes the templates into the current directory and skips existing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kecs-e2e-init-'))
    try {
      const first = await kecs(['init'], tools, dir)
      expect(first.exitCode, first.stderr).toBe(0)
      expect(first.stdout).toContain('created  .github/workflows/kecs.yml')
      expect(existsSync(join(dir, 'kecs', 'task-definition.json'))).toBe(true)
      const second = await kecs(['init'], tools, dir)
      expect(second.stdout).toContain('skipped  kecs/service.json  (it already exists; left unchanged)')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
