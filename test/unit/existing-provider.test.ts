import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { REQUIRED_PERMISSIONS, permissionName } from '../../src/cluster/existing/permissions.js'
import { createExistingProvider } from '../../src/cluster/existing/provider.js'
import type { ClusterContext } from '../../src/cluster/providers.js'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js'
import { closedPort, kubeconfigFor, silentServer, startFakeKubeApi, type FakeKubeApi } from '../helpers/fake-kube-api.js'

let dir: string
let lines: string[]
let api: FakeKubeApi | undefined

const provider = createExistingProvider({ callTimeoutMs: 1000 })
const ctx = (kubeconfig?: string, context?: string): ClusterContext => ({
  instanceDir: join(dir, 'instance'),
  name: 'default',
  kubeconfig,
  context,
  log: (l) => lines.push(l),
})
const writeKubeconfig = (text: string, file = 'kubeconfig.yaml') => {
  const p = join(dir, file)
  writeFileSync(p, text)
  return p
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kecs-existing-'))
  lines = []
})
afterEach(async () => {
  await api?.close()
  api = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('existing provider: reachability', () => {
  it('an API that refuses connections: one clear error with the fix', async () => {
    const path = writeKubeconfig(kubeconfigFor(`http://127.0.0.1:${await closedPort()}`))
    const err = await provider.start(ctx(path)).catch((e) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err.message).toMatch(
      /^cannot use the existing cluster: cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+: connection refused \(nothing listens there: is the cluster running\?\)$/,
    )
    expect(err.hint).toContain(`kubectl --kubeconfig ${path} --context fake get ns`)
  })

  it('an API that accepts but never answers: times out with a clear error instead of hanging', async () => {
    const silent = await silentServer()
    try {
      const path = writeKubeconfig(kubeconfigFor(silent.url))
      const err = await createExistingProvider({ callTimeoutMs: 300 })
        .start(ctx(path))
        .catch((e) => e)
      expect(err.message).toBe(`cannot use the existing cluster: the Kubernetes API at ${silent.url} did not answer within 300ms`)
    } finally {
      await silent.close()
    }
  })

  it('a missing kubeconfig file or an unknown context is named', async () => {
    await expect(provider.start(ctx(join(dir, 'nope.yaml')))).rejects.toThrow(`kubeconfig ${join(dir, 'nope.yaml')} does not exist`)
    const path = writeKubeconfig(kubeconfigFor('http://127.0.0.1:1'))
    const err = await provider.start(ctx(path, 'prod')).catch((e) => e)
    expect(err.message).toBe(`context "prod" is not in ${path}`)
    expect(err.hint).toBe('Contexts there: fake.')
  })
})

describe('existing provider: permissions', () => {
  it('checks create/list/watch on namespaces, pods, deployments, services and events with SelfSubjectAccessReview', async () => {
    api = await startFakeKubeApi()
    const path = writeKubeconfig(api.kubeconfig)
    const handle = await provider.start(ctx(path))
    const asked = api.requests
      .filter((r) => r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
      .map((r) => r.body.spec.resourceAttributes)
    expect(asked).toHaveLength(15)
    expect(asked).toEqual(expect.arrayContaining([{ group: 'apps', resource: 'deployments', verb: 'watch' }]))
    expect(REQUIRED_PERMISSIONS.map(permissionName)).toContain('create namespaces')
    // No --context: the user's kubeconfig is used as it is.
    expect(handle.kubeconfigPath).toBe(path)
    expect(handle.describe).toContain(api.url)
    expect(provider.deleteCluster).toBeUndefined()
  })

  it('names every missing permission', async () => {
    api = await startFakeKubeApi({ denied: ['create namespaces', 'watch events', 'create deployments.apps'] })
    const err = await provider.start(ctx(writeKubeconfig(api.kubeconfig))).catch((e) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err.message).toBe(
      `the kubeconfig's user lacks permissions KECS needs on ${api.url}: create namespaces, create deployments.apps, watch events`,
    )
    expect(err.hint).toContain('kubectl auth can-i create namespaces')
  })

  it('a cluster without SelfSubjectAccessReview: a warning, and the start goes on', async () => {
    api = await startFakeKubeApi({ ssar: false })
    const handle = await provider.start(ctx(writeKubeconfig(api.kubeconfig)))
    expect(handle.describe).toContain('existing cluster')
    expect(lines.some((l) => /^Warning: the cluster does not serve SelfSubjectAccessReview/.test(l))).toBe(true)
  })

  it('with --context, writes a kubeconfig selecting that context into the instance directory', async () => {
    api = await startFakeKubeApi()
    const two = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: a',
      '  cluster: { server: "http://127.0.0.1:1", insecure-skip-tls-verify: true }',
      '- name: b',
      `  cluster: { server: "${api.url}", insecure-skip-tls-verify: true }`,
      'users:',
      '- name: u',
      '  user: { token: t }',
      'contexts:',
      '- name: first',
      '  context: { cluster: a, user: u }',
      '- name: second',
      '  context: { cluster: b, user: u }',
      'current-context: first',
    ].join('\n')
    const handle = await provider.start(ctx(writeKubeconfig(two), 'second'))
    expect(handle.kubeconfigPath).toBe(join(dir, 'instance', 'kubeconfig'))
    expect(statSync(handle.kubeconfigPath!).mode & 0o777).toBe(0o600)
    const kc = new KubeConfig()
    kc.loadFromFile(handle.kubeconfigPath!)
    expect(kc.getCurrentContext()).toBe('second')
    expect(kc.getCurrentCluster()?.server).toBe(api.url)
    expect(readFileSync(handle.kubeconfigPath!, 'utf8')).toContain('"token":"t"')
  })
})

describe('existing provider against an emulated instance', () => {
  let emu: TestEmulator
  afterAll(async () => {
    await emu?.stop()
  })

  it("uses the emulator's kubeconfig: reachable; permissions cannot be checked there, so a warning", async () => {
    emu = await startTestEmulator()
    const handle = await provider.start(ctx(emu.kubeconfigPath))
    expect(handle.kubeconfigPath).toBe(emu.kubeconfigPath)
    expect(handle.describe).toContain(emu.url)
    expect(lines.some((l) => l.startsWith('Warning: the cluster does not serve SelfSubjectAccessReview'))).toBe(true)
    await handle.stop()
  })
})
