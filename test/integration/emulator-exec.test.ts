import { PassThrough, Writable } from 'node:stream'
import { CoreV1Api, Exec, type V1Status } from '@kubernetes/client-node'
import WebSocket from 'ws'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasCommand } from '../helpers/cli.js'
import { channelFrame, parseChannelFrame } from '../../src/emulator/apiserver/ws-channels.js'
import { eventually, startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

const hasKubectl = await hasCommand('kubectl', ['version', '--client'])

/**
 * pods/exec on the emulator through client-node's Exec (and kubectl exec, which speaks the same WebSocket protocol): the simulated shell's output on stdout and
 * stderr, the exit code in the final Status, the container's env (secrets resolved), stdin sessions,
 * and what the API server refuses before upgrading.
 */
let emu: TestEmulator
let core: CoreV1Api
const NS = 'default'

class Sink extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString('utf8')
    done()
  }
}

async function exec(pod: string, container: string, command: string[], opts: { stdin?: string; tty?: boolean } = {}) {
  const stdout = new Sink()
  const stderr = new Sink()
  const stdin = opts.stdin === undefined ? null : new PassThrough()
  let status: V1Status | undefined
  const closed = new Promise<void>((resolve) => {
    void new Exec(emu.kc)
      .exec(NS, pod, container, command, stdout, stderr, stdin, opts.tty ?? false, (s) => (status = s))
      .then((ws) => {
        ws.on('close', () => resolve())
        if (stdin) stdin.end(opts.stdin)
      })
  })
  await closed
  return { stdout: stdout.text, stderr: stderr.text, status }
}

beforeAll(async () => {
  emu = await startTestEmulator({ speed: 20 })
  core = emu.kc.makeApiClient(CoreV1Api)
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'db' }, stringData: { password: 'hunter2' } } })
  await core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name: 'app-1' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx:1.27',
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            ],
          },
          { name: 'side', image: 'busybox:1.36' },
        ],
      },
    },
  })
  await eventually(async () => {
    const p = await core.readNamespacedPod({ namespace: NS, name: 'app-1' })
    return p.status?.containerStatuses?.every((s) => s.state?.running)
  }, 'pod app-1 running')
}, 60_000)

afterAll(async () => {
  await emu?.stop()
})

describe('pods/exec', () => {
  it('runs a command: output on stdout, Success on the status channel', async () => {
    const r = await exec('app-1', 'app', ['echo', 'hello'])
    expect(r).toEqual({ stdout: 'hello\n', stderr: '', status: { metadata: {}, status: 'Success' } })
  })

  it('env shows the container env with the secret resolved', async () => {
    const r = await exec('app-1', 'app', ['env'])
    expect(r.stdout).toContain('MODE=prod\n')
    expect(r.stdout).toContain('DB_PASSWORD=hunter2\n')
    expect(r.stdout).toContain('HOSTNAME=app-1\n')
  })

  it('a non-zero exit is a Failure Status with the exit code; stderr is separate', async () => {
    const r = await exec('app-1', 'app', ['sh', '-c', 'echo out; echo oops-$MODE >/dev/null; nosuch; exit 3'])
    expect(r.stdout).toBe('out\n')
    expect(r.stderr).toBe('sh: 1: nosuch: not found\n')
    expect(r.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: exit status 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    })
  })

  it('an unknown binary exits 127', async () => {
    const r = await exec('app-1', 'side', ['frobnicate'])
    expect(r.stderr).toContain('executable file not found in $PATH')
    expect(r.status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '127' }])
  })

  it('stdin to a bare shell runs line by line until exit', async () => {
    const r = await exec('app-1', 'app', ['sh'], { stdin: 'echo $MODE\nexit 5\n' })
    expect(r.stdout).toBe('prod\n')
    expect(r.status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '5' }])
  })

  it('stdin to cat is echoed back once it ends', async () => {
    const r = await exec('app-1', 'app', ['cat'], { stdin: 'line one\n' })
    expect(r.stdout).toBe('line one\n')
    expect(r.status?.status).toBe('Success')
  })

  it('with a tty output is one stream with CRLF', async () => {
    const r = await exec('app-1', 'app', ['sh', '-c', 'echo a; nosuch'], { tty: true })
    expect(r.stdout).toBe('a\r\nsh: 1: nosuch: not found\r\n')
    expect(r.stderr).toBe('')
  })

  it('the wire: v5 chosen first, status on channel 3, stdin closed with [255, 0]', async () => {
    const url = `${emu.url.replace('http', 'ws')}/api/v1/namespaces/${NS}/pods/app-1/exec?container=app&command=sh&stdin=true&stdout=true&stderr=true`
    const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'])
    const frames: { channel: number; text: string }[] = []
    ws.on('message', (d: Buffer) => {
      const f = parseChannelFrame(d)!
      frames.push({ channel: f.channel, text: f.payload.toString('utf8') })
    })
    await new Promise((r) => ws.once('open', r))
    expect(ws.protocol).toBe('v5.channel.k8s.io')
    ws.send(channelFrame(0, 'echo hi\n'))
    ws.send(Buffer.from([255, 0]))
    await new Promise((r) => ws.once('close', r))
    expect(frames).toEqual([
      { channel: 1, text: 'hi\n' },
      { channel: 3, text: '{"metadata":{},"status":"Success"}' },
    ])
  })

  it('refuses before upgrading: unknown pod 404, container not given or unknown 400, SPDY 400', async () => {
    const get = async (path: string) => {
      const ws = new WebSocket(`${emu.url.replace('http', 'ws')}${path}`, ['v5.channel.k8s.io'])
      return new Promise<{ status: number; body: unknown }>((resolve) => {
        ws.on('unexpected-response', (_req, res) => {
          let body = ''
          res.on('data', (c) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }))
        })
        ws.on('error', () => {})
      })
    }
    const base = `/api/v1/namespaces/${NS}/pods`
    expect(await get(`${base}/nope/exec?command=ls&stdout=true`)).toMatchObject({ status: 404, body: { message: 'pods "nope" not found' } })
    expect(await get(`${base}/app-1/exec?command=ls&stdout=true`)).toMatchObject({
      status: 400,
      body: { message: 'a container name must be specified for pod app-1, choose one of: [app side]' },
    })
    expect(await get(`${base}/app-1/exec?command=ls&stdout=true&container=web`)).toMatchObject({
      status: 400,
      body: { message: 'container web is not valid for pod app-1' },
    })
    expect(await get(`${base}/app-1/exec?container=app&stdout=true`)).toMatchObject({
      status: 400,
      body: { message: 'you must specify at least one command for the container' },
    })
    expect(await get(`/api/v1/namespaces/${NS}/pods/app-1/attach`)).toMatchObject({ status: 404 })
  })

  it.skipIf(!hasKubectl)('kubectl exec: output, the exit code, stdin with -i', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kecs-kubectl-exec-'))
    const env = { HOME: home, KUBECACHEDIR: join(home, 'cache'), PATH: process.env.PATH ?? '' }
    try {
      const kubectl = (args: string[], input?: string) =>
        execa('kubectl', ['--kubeconfig', emu.kubeconfigPath, 'exec', ...args], { reject: false, env, extendEnv: false, input })
      const r = await kubectl(['app-1', '-c', 'app', '--', 'sh', '-c', 'echo $MODE; exit 3'])
      expect(r).toMatchObject({ exitCode: 3, stdout: 'prod', stderr: 'command terminated with exit code 3' })
      const i = await kubectl(['-i', 'app-1', '-c', 'app', '--', 'sh'], 'echo hi\nexit 0\n')
      expect(i).toMatchObject({ exitCode: 0, stdout: 'hi' })
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('a session ends with exit code 137 when its container stops (the pod is deleted)', async () => {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'short-1' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } })
    await eventually(async () => {
      const p = await core.readNamespacedPod({ namespace: NS, name: 'short-1' })
      return p.status?.containerStatuses?.every((s) => s.state?.running)
    }, 'pod short-1 running')
    const stdin = new PassThrough()
    let status: V1Status | undefined
    const ws = await new Exec(emu.kc).exec(NS, 'short-1', 'app', ['sh'], new Sink(), new Sink(), stdin, false, (s) => (status = s))
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()))
    stdin.write('echo still here\n')
    await core.deleteNamespacedPod({ namespace: NS, name: 'short-1', gracePeriodSeconds: 0 })
    await closed
    expect(status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '137' }])
  })
})
