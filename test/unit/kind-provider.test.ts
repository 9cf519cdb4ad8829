import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { readKindConfig } from '../../src/cluster/kind/config.js'
import { createKindProvider, podEndpoint } from '../../src/cluster/kind/provider.js'
import type { ClusterContext } from '../../src/cluster/providers.js'
import { fakeTools, type FakeTools } from '../helpers/fake-kind.js'
import { closedPort, kubeconfigFor, startFakeKubeApi, type FakeKubeApi } from '../helpers/fake-kube-api.js'

let tools: FakeTools
let api: FakeKubeApi
let dir: string
let lines: string[]

const ctx = (name = 'default'): ClusterContext => ({ instanceDir: dir, name, log: (l) => lines.push(l) })
const provider = (t = tools, extra: Parameters<typeof createKindProvider>[0] = {}) =>
  createKindProvider({ runner: t.runner, isPortFree: async () => true, readyTimeoutMs: 2000, callTimeoutMs: 1000, platform: 'linux', ...extra })

const NET = 'docker network inspect kind --format {{range .IPAM.Config}}{{.Gateway}} {{end}}'
const PREREQS = ['docker --version', 'docker info --format {{.ServerVersion}}', 'kind version']

beforeEach(async () => {
  api = await startFakeKubeApi()
  dir = mkdtempSync(join(tmpdir(), 'kecs-kind-inst-'))
  lines = []
})

afterEach(async () => {
  tools?.cleanup()
  await api.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('kind provider: start', () => {
  it('creates kecs-<name> from the rendered config, writes the kubeconfig and waits for a Ready node', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    const handle = await provider().start(ctx())

    const config = join(dir, 'kind-cluster.yaml')
    const kubeconfig = join(dir, 'kubeconfig')
    expect(tools.calls()).toEqual([
      ...PREREQS,
      'kind get clusters',
      `kind create cluster --name kecs-default --config ${config} --wait 60s --kubeconfig ${kubeconfig}`,
      'kind get kubeconfig --name kecs-default',
      NET,
    ])
    expect(tools.clusters()).toEqual(['kecs-default'])
    expect(handle.kubeconfigPath).toBe(kubeconfig)
    expect(readFileSync(kubeconfig, 'utf8').trim()).toBe(api.kubeconfig.trim())
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600)
    expect(handle.describe).toContain('Kind cluster kecs-default')
    expect(handle.describe).toContain('created')
    // The rendered config is the packaged one: pinned image, ports, labels.
    expect(readKindConfig(config)).toEqual(readKindConfig())
    // The API was asked, not just assumed.
    expect(api.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/version', '/api/v1/nodes']))
    // Progress: kind's own steps, then the ready line.
    expect(lines.some((l) => l.includes('kind:') && l.includes('Ensuring node image'))).toBe(true)
    expect(lines.some((l) => /^Created the Kind cluster kecs-default in /.test(l))).toBe(true)
    expect(lines.some((l) => /node kecs-default-control-plane is Ready/.test(l))).toBe(true)
  })

  it('reuses an existing cluster without creating it again, and stop() leaves it', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig, clusters: ['other', 'kecs-default'] })
    const handle = await provider().start(ctx())
    expect(tools.calls()).toEqual([
      ...PREREQS,
      'kind get clusters',
      'docker inspect --format {{.State.Running}} kecs-default-control-plane',
      'kind get kubeconfig --name kecs-default',
      NET,
    ])
    expect(tools.calls().some((c) => c.startsWith('kind create'))).toBe(false)
    expect(handle.describe).toContain('reused')
    expect(lines).toContain('Reusing the Kind cluster kecs-default')

    await handle.stop()
    expect(tools.calls().some((c) => c.startsWith('kind delete'))).toBe(false)
    expect(tools.clusters()).toEqual(['other', 'kecs-default'])
  })

  it('starts the node container of a reused cluster that Docker stopped', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig, clusters: ['kecs-default'] })
    tools.set('node-stopped', '')
    await provider().start(ctx())
    expect(tools.calls()).toContain('docker start kecs-default-control-plane')
    expect(lines.some((l) => l.includes('is stopped; starting it'))).toBe(true)
  })

  it("a failing create is one error carrying kind's stderr, and nothing runs after it", async () => {
    const stderr = [
      ' ✓ Ensuring node image (kindest/node:v1.32.2) 🖼',
      ' ✗ Preparing nodes 📦',
      'Deleted nodes: ["kecs-default-control-plane"]',
      'ERROR: failed to create cluster: command "docker run --name kecs-default-control-plane ..." failed with error: exit status 125',
      'Command Output: docker: Error response from daemon: driver failed programming external connectivity: Bind for 127.0.0.1:30001 failed: port is already allocated.',
    ].join('\n')
    tools = fakeTools({ kubeconfig: api.kubeconfig, createError: stderr })
    const err = await provider().start(ctx()).catch((e) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err.message).toBe(
      'kind could not create the cluster kecs-default: ERROR: failed to create cluster: command "docker run --name kecs-default-control-plane ..." failed with error: exit status 125',
    )
    expect(err.hint).toMatch(/host port .* is taken/)
    expect(err.details).toContain('kind: Command Output: docker: Error response from daemon: driver failed programming external connectivity: Bind for 127.0.0.1:30001 failed: port is already allocated.')
    expect(tools.calls().at(-1)).toMatch(/^kind create cluster/)
    expect(existsSync(join(dir, 'kubeconfig'))).toBe(false)
  })

  it('Docker down: the daemon error, and kind is never run', async () => {
    tools = fakeTools({ docker: 'down', kubeconfig: api.kubeconfig })
    const err = await provider().start(ctx()).catch((e) => e)
    expect(err.message).toBe(
      'the Docker daemon is not running: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    )
    expect(tools.calls().filter((c) => c.startsWith('kind'))).toEqual([])
    expect(await provider().unavailable!()).toMatch(/^the Docker daemon is not running/)
  })

  it('kind missing: how to install it', async () => {
    tools = fakeTools({ kind: 'missing' })
    const err = await provider().start(ctx()).catch((e) => e)
    expect(err.message).toBe('kind is not installed: the `kind` command is not on PATH')
    expect(err.hint).toContain('go install sigs.k8s.io/kind@v0.27.0')
  })

  it('an API that refuses connections is a clear error, not a hang', async () => {
    tools = fakeTools({ kubeconfig: kubeconfigFor(`http://127.0.0.1:${await closedPort()}`), clusters: ['kecs-default'] })
    const err = await provider(tools, { readyTimeoutMs: 300 }).start(ctx()).catch((e) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err.message).toMatch(/^the Kind cluster kecs-default is not usable: cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+: connection refused/)
    expect(err.hint).toContain('kecs stop --delete-cluster')
  })

  it('a node that never becomes Ready: names it and why', async () => {
    await api.close()
    api = await startFakeKubeApi({ nodes: [{ name: 'kecs-default-control-plane', ready: false, reason: 'NetworkPluginNotReady' }] })
    tools = fakeTools({ kubeconfig: api.kubeconfig, clusters: ['kecs-default'] })
    const err = await provider(tools, { readyTimeoutMs: 200 }).start(ctx()).catch((e) => e)
    expect(err.message).toMatch(/no Kubernetes node became Ready within 200ms \(kecs-default-control-plane: Ready=False \(NetworkPluginNotReady\)\)/)
  })

  it('drops port mappings whose host port is taken, and says so', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    await provider(tools, { isPortFree: async (p) => p !== 30003 && p !== 30004 }).start(ctx())
    const cfg = readKindConfig(join(dir, 'kind-cluster.yaml'))
    const ports = cfg.nodes![0]!.extraPortMappings!.map((m) => m.hostPort)
    expect(ports).not.toContain(30003)
    expect(ports).toContain(30005)
    expect(lines).toContain('Warning: host ports 30003-30004 are in use; the cluster will not publish those NodePorts on 127.0.0.1')
  })

  it('names the cluster after the instance, as a valid kind name', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    await provider().start(ctx('My_App'))
    expect(tools.calls()).toContain('kind get kubeconfig --name kecs-my-app')
  })
})

describe('kind provider: deleteCluster', () => {
  it('deletes kecs-<name> and its kubeconfig', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    const p = provider()
    await p.start(ctx())
    tools.resetCalls()
    await p.deleteCluster!(ctx())
    expect(tools.calls()).toEqual([
      'kind version',
      'kind get clusters',
      `kind delete cluster --name kecs-default --kubeconfig ${join(dir, 'kubeconfig')}`,
    ])
    expect(tools.clusters()).toEqual([])
    expect(existsSync(join(dir, 'kubeconfig'))).toBe(false)
    expect(lines.some((l) => l.startsWith('Deleted the Kind cluster kecs-default'))).toBe(true)
  })

  it('does nothing when the cluster is not there', async () => {
    tools = fakeTools({ clusters: ['kecs-other'] })
    await provider().deleteCluster!(ctx())
    expect(tools.calls().some((c) => c.startsWith('kind delete'))).toBe(false)
    expect(lines).toContain('There is no Kind cluster kecs-default: nothing to delete.')
    expect(tools.clusters()).toEqual(['kecs-other'])
  })
})

describe('kind provider: the ECS endpoint as pods see it', () => {
  it("is the kind network's gateway on Linux, with a note when KECS listens on loopback only", async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    const handle = await provider().start(ctx())
    expect(handle.endpointForPods!('http://0.0.0.0:8080')).toBe('http://172.18.0.1:8080')
    expect(lines.some((l) => l.startsWith('Note:'))).toBe(false)
    expect(handle.endpointForPods!('http://127.0.0.1:8080')).toBe('http://172.18.0.1:8080')
    expect(lines.find((l) => l.startsWith('Note:'))).toContain('--host 172.18.0.1')
    expect(handle.endpointForPods!('http://192.168.1.20:8080')).toBe('http://192.168.1.20:8080')
  })

  it('is host.docker.internal with Docker Desktop', () => {
    const log: string[] = []
    expect(podEndpoint('http://127.0.0.1:8080', 'host.docker.internal', 'darwin', (l) => log.push(l))).toBe('http://host.docker.internal:8080')
    expect(log).toEqual([])
  })
})

describe('kind provider: 169.254.170.2 for task credentials', () => {
  const JUMP = '-d 169.254.170.2/32 -p tcp --dport 80 -j KECS-LINK-LOCAL'
  const dnat = (to: string) => `-A KECS-LINK-LOCAL -d 169.254.170.2/32 -p tcp --dport 80 -j DNAT --to-destination ${to}`

  it("DNATs 169.254.170.2:80 on the node to KECS's port as the node reaches the host", async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    const handle = await provider().start(ctx())
    tools.resetCalls()
    const line = await handle.routeLinkLocal!(handle.endpointForPods!('http://0.0.0.0:8080'))
    expect(line).toContain('172.18.0.1:8080')
    const exec = tools.calls().find((c) => c.startsWith('docker exec '))
    expect(exec).toMatch(/^docker exec kecs-default-control-plane sh -c /)
    expect(tools.natRules().sort()).toEqual(
      [':KECS-LINK-LOCAL', dnat('172.18.0.1:8080'), `-A OUTPUT ${JUMP}`, `-A PREROUTING ${JUMP}`].sort(),
    )
  })

  it('is idempotent on restart, and follows a new port', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    const first = await provider().start(ctx())
    await first.routeLinkLocal!(first.endpointForPods!('http://0.0.0.0:8080'))
    await first.routeLinkLocal!(first.endpointForPods!('http://0.0.0.0:8080'))
    expect(tools.natRules().filter((r) => r.startsWith('-A PREROUTING'))).toHaveLength(1)
    // the next start reuses the cluster (its node kept the rules) with KECS on another port
    const second = await provider().start(ctx())
    await second.routeLinkLocal!(second.endpointForPods!('http://0.0.0.0:9090'))
    const rules = tools.natRules()
    expect(rules.filter((r) => r.startsWith('-A PREROUTING'))).toEqual([`-A PREROUTING ${JUMP}`])
    expect(rules.filter((r) => r.startsWith('-A OUTPUT'))).toEqual([`-A OUTPUT ${JUMP}`])
    expect(rules.filter((r) => r.startsWith('-A KECS-LINK-LOCAL'))).toEqual([dnat('172.18.0.1:9090')])
    expect(rules.filter((r) => r === ':KECS-LINK-LOCAL')).toHaveLength(1)
  })

  it('a node that refuses the rule is an error naming the node', async () => {
    tools = fakeTools({ kubeconfig: api.kubeconfig })
    const handle = await provider().start(ctx())
    // a nat table the fake cannot write: a directory in the rules file's place
    mkdirSync(join(tools.state, 'iptables-nat'))
    await expect(handle.routeLinkLocal!('http://172.18.0.1:8080')).rejects.toThrow(/iptables on kecs-default-control-plane failed/)
  })
})
