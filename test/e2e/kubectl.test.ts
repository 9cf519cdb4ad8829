import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CoreV1Api } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/**
 * The real kubectl (the gcloud dispatcher at /usr/bin/kubectl, which picks kubectl 1.32 from /version)
 * against the emulated cluster's kubeconfig. Each test run has its own HOME and discovery cache.
 */
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl'
const haveKubectl = existsSync(KUBECTL)

let t: TestEmulator
let home: string
let core: CoreV1Api

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function kubectl(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, ['--kubeconfig', t.kubeconfigPath, '--cache-dir', join(home, 'cache'), ...args], {
      env: { ...process.env, HOME: home, KUBECACHEDIR: join(home, 'cache'), KUBECONFIG: t.kubeconfigPath },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input)
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`)
  return r.stdout
}

/** A long-running kubectl (get -w, logs -f) whose output lines can be awaited. */
function follow(args: string[]) {
  const child = spawn(KUBECTL, ['--kubeconfig', t.kubeconfigPath, '--cache-dir', join(home, 'cache'), ...args], {
    env: { ...process.env, HOME: home, KUBECACHEDIR: join(home, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout.on('data', (c) => {
    out += c
    listeners.forEach((l) => l())
  })
  child.stderr.on('data', (c) => (err += c))
  const exited = new Promise<number | null>((r) => child.on('close', (code) => (listeners.forEach((l) => l()), r(code))))
  return {
    get output() {
      return out
    },
    get running() {
      return child.exitCode === null && child.signalCode === null
    },
    exited,
    async waitFor(pred: (out: string) => boolean, what: string) {
      return eventually(() => pred(out) || (child.exitCode !== null ? Promise.reject(new Error(`kubectl exited before ${what}: ${err}`)) : false), what)
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

const deploymentYaml = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
        ports:
        - containerPort: 80
        env:
        - {name: GREETING, value: hello}
`

const serviceYaml = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: 80}
`

beforeAll(async () => {
  if (!haveKubectl) return
  home = mkdtempSync(join(tmpdir(), 'kecs-kubectl-'))
  t = await startTestEmulator({ speed: 20 })
  core = t.kc.makeApiClient(CoreV1Api)
})
afterAll(async () => {
  await t?.stop()
  if (home) rmSync(home, { recursive: true, force: true })
})

describe.skipIf(!haveKubectl)('kubectl against the emulated cluster', () => {
  it('reports version 1.32 and lists namespaces with table columns', async () => {
    const version = await ok(['version', '-o', 'json'])
    expect(JSON.parse(version).serverVersion).toMatchObject({ major: '1', minor: '32' })
    const ns = await ok(['get', 'namespaces'])
    expect(ns.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/)
    expect(ns).toMatch(/^default\s+Active\s+\S+$/m)
    expect(ns).toMatch(/^kube-system\s+Active/m)
  })

  it('gets pods as table, wide, json and name; NotFound exits 1', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'lone', labels: { run: 'lone' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } },
    })
    const table = await ok(['get', 'pods'])
    expect(table.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/)
    expect(table).toMatch(/^lone\s+\d\/1\s+\S+\s+\d+/m)
    const wide = await ok(['get', 'pods', '-o', 'wide'])
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/)
    const all = await ok(['get', 'pods', '-A'])
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/)
    expect(all).toMatch(/^default\s+lone\s+/m)
    const json = JSON.parse(await ok(['get', 'pod', 'lone', '-o', 'json']))
    expect(json).toMatchObject({ kind: 'Pod', metadata: { name: 'lone', namespace: 'default' } })
    expect(await ok(['get', 'pods', '-l', 'run=lone', '-o', 'name'])).toBe('pod/lone\n')
    const missing = await kubectl(['get', 'pod', 'nope'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Error from server (NotFound): pods "nope" not found')
  })

  it('get -w prints a new pod as it arrives', async () => {
    const pod = (name: string) => ({ metadata: { name, labels: { watch: 'me' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } })
    await core.createNamespacedPod({ namespace: 'default', body: pod('existing') })
    const w = follow(['get', 'pods', '-w', '-l', 'watch=me'])
    // Once the list is printed, kubectl watches from the list's resourceVersion: nothing later is missed.
    await w.waitFor((o) => /^existing\s/m.test(o), 'the initial list')
    await core.createNamespacedPod({ namespace: 'default', body: pod('watched') })
    await w.waitFor((o) => /^watched\s+\d\/1\s+/m.test(o), 'the watched pod line')
    await w.kill()
    const lines = w.output.trim().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/)
    // One header only: later events come as header-less one-row Tables.
    expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1)
  })

  it('applies a Deployment, re-applies unchanged and with a new image (strategic merge patch), and scales it', async () => {
    const file = join(home, 'deploy.yaml')
    writeFileSync(file, deploymentYaml('nginx:1.26'))
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/web created\n')
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/web unchanged\n')
    writeFileSync(file, deploymentYaml('nginx:1.27'))
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/web configured\n')
    const d = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json']))
    expect(d.spec.template.spec.containers).toHaveLength(1)
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'GREETING', value: 'hello' }] })
    expect(d.metadata.generation).toBe(2)
    expect(JSON.stringify(d)).not.toContain('$setElementOrder')
    expect(await ok(['scale', 'deployment/web', '--replicas=3'])).toBe('deployment.apps/web scaled\n')
    expect(await ok(['scale', 'deployment/web', '--replicas=3', '--current-replicas=3'])).toBe('deployment.apps/web scaled\n')
    expect(JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json'])).spec.replicas).toBe(3)
    const table = await ok(['get', 'deploy'])
    expect(table.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/)
  })

  it('rolls the Deployment out: rollout status, pods, endpoints of a Service', async () => {
    const status = await ok(['rollout', 'status', 'deployment/web', '--timeout=120s'])
    expect(status).toContain('successfully rolled out')
    const pods = await ok(['get', 'pods', '-l', 'app=web', '-o', 'name'])
    expect(pods.trim().split('\n')).toHaveLength(3)
    const file = join(home, 'svc.yaml')
    writeFileSync(file, serviceYaml)
    expect(await ok(['apply', '-f', file])).toBe('service/web created\n')
    const svc = await ok(['get', 'svc', 'web'])
    expect(svc.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/)
    expect(svc).toMatch(/^web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP/m)
    const ips = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items.map((p: any) => p.status.podIP).sort()
    const ep = await eventually(async () => {
      const e = JSON.parse(await ok(['get', 'endpoints', 'web', '-o', 'json']))
      const addrs = (e.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort()
      return addrs.length === 3 ? addrs : false
    }, 'endpoints for 3 ready pods')
    expect(ep).toEqual(ips)
  })

  it('gets nodes, describes a pod with its events, follows logs', async () => {
    const nodes = await ok(['get', 'nodes'])
    expect(nodes.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/)
    expect(nodes).toMatch(/\sReady\s/)
    const pod = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'name'])).trim().split('\n')[0]!.replace('pod/', '')
    const described = await ok(['describe', 'pod', pod])
    expect(described).toMatch(/^Name:\s+web-/m)
    expect(described).toContain('Port:           80/TCP')
    expect(described).toMatch(/^Events:/m)
    const logs = follow(['logs', '-f', pod])
    await logs.waitFor((o) => o.length > 0, 'log output')
    // -f keeps the stream open while the container runs.
    expect(logs.running).toBe(true)
    await logs.kill()
    const plain = await ok(['logs', pod, '--tail=1'])
    expect(plain.trim().split('\n')).toHaveLength(1)
  })

  it('creates objects with kubectl create generators (protobuf request bodies)', async () => {
    expect(await ok(['create', 'namespace', 'gen'])).toBe('namespace/gen created\n')
    expect(await ok(['-n', 'gen', 'create', 'serviceaccount', 'robot'])).toBe('serviceaccount/robot created\n')
    expect(await ok(['-n', 'gen', 'create', 'configmap', 'cfg', '--from-literal=a=b'])).toBe('configmap/cfg created\n')
    expect(await ok(['-n', 'gen', 'create', 'secret', 'generic', 'sec', '--from-literal=k=v'])).toBe('secret/sec created\n')
    expect(await ok(['-n', 'gen', 'create', 'deployment', 'gd', '--image=nginx:1.27', '--replicas=2', '--port=80'])).toBe('deployment.apps/gd created\n')
    expect(await ok(['-n', 'gen', 'create', 'service', 'nodeport', 'gs', '--tcp=80:8080'])).toBe('service/gs created\n')
    const cfg = JSON.parse(await ok(['-n', 'gen', 'get', 'configmap', 'cfg', '-o', 'json']))
    expect(cfg.data).toEqual({ a: 'b' })
    const sec = JSON.parse(await ok(['-n', 'gen', 'get', 'secret', 'sec', '-o', 'json']))
    expect(sec).toMatchObject({ type: 'Opaque', data: { k: Buffer.from('v').toString('base64') } })
    const d = JSON.parse(await ok(['-n', 'gen', 'get', 'deployment', 'gd', '-o', 'json']))
    expect(d.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'gd' } } })
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] })
    const svc = JSON.parse(await ok(['-n', 'gen', 'get', 'service', 'gs', '-o', 'json']))
    expect(svc.spec).toMatchObject({ type: 'NodePort', selector: { app: 'gs' } })
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, protocol: 'TCP' })
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000)
    expect(await ok(['delete', 'namespace', 'gen', '--wait=false'])).toBe('namespace "gen" deleted\n')
  })

  it('supports server-side dry run: apply, diff and delete write nothing', async () => {
    const file = join(home, 'dry.yaml')
    writeFileSync(file, deploymentYaml('nginx:1.27').replace('name: web', 'name: dry'))
    expect(await ok(['apply', '-f', file, '--dry-run=server'])).toBe('deployment.apps/dry created (server dry run)\n')
    expect((await kubectl(['get', 'deployment', 'dry'])).code).toBe(1)
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/dry created\n')
    expect((await kubectl(['diff', '-f', file])).code).toBe(0)
    writeFileSync(file, deploymentYaml('nginx:1.28').replace('name: web', 'name: dry'))
    const diff = await kubectl(['diff', '-f', file])
    expect(diff.code).toBe(1)
    expect(diff.stdout).toMatch(/^-\s+- image: nginx:1\.27$|^-\s+image: nginx:1\.27$/m)
    expect(diff.stdout).toMatch(/^\+\s+(- )?image: nginx:1\.28$/m)
    expect(await ok(['delete', 'deployment', 'dry', '--dry-run=server'])).toBe('deployment.apps "dry" deleted (server dry run)\n')
    const live = JSON.parse(await ok(['get', 'deployment', 'dry', '-o', 'json']))
    expect(live.spec.template.spec.containers[0].image).toBe('nginx:1.27')
    await ok(['delete', 'deployment', 'dry'])
  })

  it('describes a pod, and describe of a missing pod fails with NotFound', async () => {
    const described = await ok(['describe', 'pod', 'lone'])
    expect(described).toMatch(/^Name:\s+lone$/m)
    expect(described).toMatch(/^Namespace:\s+default$/m)
    expect(described).toMatch(/^Events:/m)
    const missing = await kubectl(['describe', 'pod', 'nope'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('pods "nope" not found')
  })

  it('deletes the Deployment, its Service and a pod', async () => {
    await kubectl(['delete', '-f', join(home, 'svc.yaml'), '--ignore-not-found'])
    expect(await ok(['delete', 'deployment', 'web'])).toBe('deployment.apps "web" deleted\n')
    expect((await kubectl(['get', 'deployment', 'web'])).code).toBe(1)
    expect(await ok(['delete', 'pod', 'lone', '--grace-period=0', '--force'])).toContain('pod "lone" force deleted')
    expect((await kubectl(['get', 'pod', 'lone'])).code).toBe(1)
  })
})
