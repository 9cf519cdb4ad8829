/**
 * The real kubectl against a `kecs start -d --cluster emulated` instance, through the kubeconfig the
 * instance writes (test/e2e/kubectl.test.ts covers kubectl's commands against a bare emulator). Proves
 * the wiring: the kubeconfig, ECS clusters showing up as namespaces, and objects and their
 * resourceVersion sequence surviving `kecs stop` / `kecs start`.
 */
import { execa } from 'execa'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, until, type CliHome, type Started } from '../helpers/cli.js'

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl'
const haveKubectl = existsSync(KUBECTL)
if (!haveKubectl) console.warn(`[e2e] ${KUBECTL} is missing: the kubectl-through-kecs test is SKIPPED`)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
`

describe.skipIf(!haveKubectl)('kubectl through a kecs start -d --cluster emulated instance', { timeout: 120_000 }, () => {
  let cli: CliHome
  let inst: Started
  let kubeconfig: string
  let kubeHome: string

  const kubectl = (args: string[]) =>
    execa(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
      env: { ...cli.env(), HOME: kubeHome, KUBECACHEDIR: join(kubeHome, 'cache'), KUBECONFIG: '' },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    })
  const ok = async (args: string[]) => {
    const r = await kubectl(args)
    if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}${r.stdout}`)
    return r.stdout
  }
  const ecs = async (op: string, body: object) => {
    const res = await fetch(`${inst.endpoint}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${op}` },
      body: JSON.stringify(body),
    })
    expect(res.status, op).toBe(200)
    return res.json()
  }

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    cli = cliHome('kecs-kubectl-instance-')
    kubeHome = join(cli.home, 'kube-home')
    mkdirSync(kubeHome)
    inst = await cli.startDetached('kube', { args: ['--cluster', 'emulated'], env: { KECS_EMULATOR_SPEED: '5' } })
    kubeconfig = join(cli.instanceDir('kube'), 'kubeconfig')
  })
  afterAll(async () => cli?.cleanup())

  it('reaches the instance cluster with the kubeconfig it wrote, and keeps objects across stop / start', async () => {
    expect(inst.stdout).toContain(`kubeconfig ${kubeconfig}`)
    const status = JSON.parse((await cli.kecs(['status', '--name', 'kube', '--json'])).stdout as string)
    expect(status).toMatchObject({ clusterProvider: 'emulated', kubeconfig })

    expect(await ok(['get', 'nodes'])).toMatch(/^kecs-node\s+Ready\s/m)
    // ECS → Kubernetes: an ECS cluster is a namespace of this cluster.
    await ecs('CreateCluster', { clusterName: 'wired' })
    await until('namespace kecs-wired', async () => (await kubectl(['get', 'namespace', 'kecs-wired'])).exitCode === 0)

    const file = join(cli.home, 'web.yaml')
    writeFileSync(file, deployment)
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/web created')
    expect(await ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('successfully rolled out')
    const cm = JSON.parse(await ok(['create', 'configmap', 'kept', '--from-literal=a=b', '-o', 'json']))
    const before = Number(cm.metadata.resourceVersion)

    expect((await cli.kecs(['stop', '--name', 'kube'])).exitCode).toBe(0)
    expect((await kubectl(['get', 'nodes', '--request-timeout=2s'])).exitCode).not.toBe(0) // really stopped
    inst = await cli.startDetached('kube', { args: ['--cluster', 'emulated'], env: { KECS_EMULATOR_SPEED: '5' } })

    const kept = JSON.parse(await ok(['get', 'configmap', 'kept', '-o', 'json']))
    expect(kept.metadata).toMatchObject({ uid: cm.metadata.uid, resourceVersion: cm.metadata.resourceVersion })
    expect(kept.data).toEqual({ a: 'b' })
    // The resourceVersion sequence continues after the restart.
    const next = JSON.parse(await ok(['create', 'configmap', 'after', '--from-literal=a=b', '-o', 'json']))
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(before)
    expect(await ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('successfully rolled out')
    expect((await ok(['get', 'pods', '-l', 'app=web', '-o', 'name'])).trim().split('\n')).toHaveLength(2)
    expect(await ok(['get', 'namespace', 'kecs-wired', '-o', 'name'])).toBe('namespace/kecs-wired')
  })
})
