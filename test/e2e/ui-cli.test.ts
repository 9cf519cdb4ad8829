/**
 * End-to-end through the BUILT CLI in a new KECS_HOME: `kecs start -d` prints the web UI's address and,
 * the first time only, what to try next; `kecs ui` prints the URL where no browser can be opened;
 * `kecs services` / `kecs run` on an instance without a `default` cluster create it and say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, type CliHome } from '../helpers/cli.js'

let cli: CliHome
let endpoint = ''

describe.skipIf(!BUILT)('the web UI from the terminal', { timeout: 90_000 }, () => {
  beforeAll(() => void (cli = cliHome('kecs-ui-cli-')))
  afterAll(() => cli?.cleanup())

  it('kecs start -d prints the UI address, and on a first start three lines on what to try next', async () => {
    const first = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
    endpoint = first.endpoint
    expect(first.stdout).toContain(`  web UI   ${endpoint}/ui`)
    const lines = first.stdout.split('\n')
    const at = lines.findIndex((l) => l.startsWith('Try next:'))
    expect(at).toBeGreaterThan(0)
    expect(lines.slice(at + 1, at + 3).every((l) => /^ {11}kecs /.test(l))).toBe(true)
    expect(lines[at + 3]).toBe('')
    expect((await fetch(`${endpoint}/ui/clusters/x/services/y`)).status).toBe(200)

    expect((await cli.kecs(['stop'])).exitCode).toBe(0)
    const again = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
    endpoint = again.endpoint
    expect(again.stdout).toContain(`  web UI   ${endpoint}/ui`)
    expect(again.stdout).not.toContain('Try next:')
  })

  it('kecs ui prints the URL where no browser can be opened', async () => {
    const r = await cli.kecs(['ui'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe(`${endpoint}/ui`)
    expect(r.stderr).toContain('No browser could be opened')
  })

  it('creates the default cluster on first use, in one line; the ECS API still answers ClusterNotFoundException', async () => {
    const api = await cli.awsEcs(endpoint, ['list-services'], { ok: false })
    expect(api.exitCode).not.toBe(0)
    expect(api.stderr).toContain('ClusterNotFoundException')

    const r = await cli.kecs(['services'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stderr.trim()).toBe('Created the "default" cluster (it did not exist yet; pass --cluster to use another).')
    expect(r.stdout.trim()).toBe('No services in cluster default.')
    const again = await cli.kecs(['tasks'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stderr).not.toContain('Created')
  })
})
