import { afterEach, describe, expect, it } from 'vitest'
import { checkKindPrereqs, chooseAuto, kindUnavailable, PrereqError } from '../../src/cluster/prereqs.js'
import { fakeRunner } from '../../src/cluster/runner.js'
import { fakeTools, type FakeTools } from '../helpers/fake-kind.js'

const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'

let tools: FakeTools | undefined
afterEach(() => {
  tools?.cleanup()
  tools = undefined
})

describe('Kind prerequisites (fake docker and kind on PATH)', () => {
  it('checks the docker CLI, the daemon, then kind, and reports their versions', async () => {
    tools = fakeTools()
    await expect(checkKindPrereqs(tools.runner)).resolves.toEqual({ dockerVersion: '27.5.1', kindVersion: 'v0.27.0' })
    expect(tools.calls()).toEqual(['docker --version', 'docker info --format {{.ServerVersion}}', 'kind version'])
    await expect(kindUnavailable(tools.runner)).resolves.toBeUndefined()
  })

  it('Docker missing: says to install Docker, and never runs kind', async () => {
    tools = fakeTools({ docker: 'missing' })
    const err = await checkKindPrereqs(tools.runner).catch((e) => e)
    expect(err).toBeInstanceOf(PrereqError)
    expect(err.problem).toBe('docker-missing')
    expect(err.message).toBe('Docker is not installed: the `docker` command is not on PATH')
    expect(err.hint).toMatch(/^Install Docker .* Or run without Docker: kecs start --cluster emulated\.$/)
    expect(tools.calls()).toEqual([])
  })

  it("daemon down: quotes Docker's own error and says to start Docker", async () => {
    tools = fakeTools({ docker: 'down' })
    const err = await checkKindPrereqs(tools.runner).catch((e) => e)
    expect(err.problem).toBe('docker-down')
    expect(err.message).toBe(`the Docker daemon is not running: ${DAEMON_DOWN}`)
    expect(err.hint).toMatch(/^Start Docker/)
    expect(tools.calls()).toEqual(['docker --version', 'docker info --format {{.ServerVersion}}'])
  })

  it('kind missing: says how to install it', async () => {
    tools = fakeTools({ kind: 'missing' })
    const err = await checkKindPrereqs(tools.runner).catch((e) => e)
    expect(err.problem).toBe('kind-missing')
    expect(err.message).toBe('kind is not installed: the `kind` command is not on PATH')
    expect(err.hint).toContain('go install sigs.k8s.io/kind@v0.27.0')
    expect(err.hint).toContain('brew install kind')
    expect(err.hint).toContain('release binary')
    expect(await kindUnavailable(tools.runner)).toMatch(/^kind is not installed.*go install sigs\.k8s\.io\/kind@v0\.27\.0/)
  })

  it('a daemon that does not answer, and one that refuses the user, read clearly too', async () => {
    const hung = fakeRunner((cmd, args) => (args[0] === 'info' ? { exitCode: -1, timedOut: true } : { stdout: 'x' }))
    const t = await checkKindPrereqs(hung).catch((e) => e)
    expect(t.problem).toBe('docker-timeout')
    expect(t.message).toMatch(/did not answer `docker info` within \d+s/)

    const denied = fakeRunner((cmd, args) =>
      args[0] === 'info'
        ? {
            exitCode: 1,
            stderr:
              'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.47/info": dial unix /var/run/docker.sock: connect: permission denied',
          }
        : { stdout: 'x' },
    )
    const d = await checkKindPrereqs(denied).catch((e) => e)
    expect(d.problem).toBe('docker-denied')
    expect(d.hint).toContain('usermod -aG docker')
  })
})

describe('chooseAuto', () => {
  it('picks kind when Docker, its daemon and kind work', async () => {
    tools = fakeTools()
    const c = await chooseAuto(tools.runner)
    expect(c.provider).toBe('kind')
    expect(c.reason).toContain('kind v0.27.0')
  })

  it('falls back to the emulated cluster and says why and how to get real containers', async () => {
    tools = fakeTools({ docker: 'down' })
    const c = await chooseAuto(tools.runner)
    expect(c.provider).toBe('emulated')
    expect(c.reason).toContain('emulated cluster')
    expect(c.reason).toContain(DAEMON_DOWN)
    expect(c.reason).toMatch(/Start Docker/)
    expect(c.reason).not.toContain('--cluster emulated')

    tools.cleanup()
    tools = fakeTools({ kind: 'missing' })
    const k = await chooseAuto(tools.runner)
    expect(k.provider).toBe('emulated')
    expect(k.reason).toContain('kind is not installed')
  })
})
