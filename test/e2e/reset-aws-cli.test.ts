/**
 * End-to-end: `kecs reset` through the BUILT CLI on `kecs start -d --cluster emulated`, with things
 * made by the real `aws` CLI: afterwards every list is empty and revisions start at 1 again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, type CliHome, type Started } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the `kecs reset` e2e tests are SKIPPED')

const TIMEOUT = 180_000
let cli: CliHome | undefined
let inst: Started

const aws = async (args: string[]) => {
  const r = await cli!.run('aws', ['--endpoint-url', inst.endpoint, '--output', 'json', ...args], { timeout: 60_000 })
  expect(r.exitCode, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined
}

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-reset-')
  inst = await cli.startDetached('default', { args: ['--cluster', 'emulated'] })
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('kecs reset with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  it('empties what the aws CLI made; the summary and --json say what went', async () => {
    await aws(['ecs', 'create-cluster', '--cluster-name', 'e2e'])
    const containers = JSON.stringify([{ name: 'app', image: 'busybox', memory: 64 }])
    for (let i = 0; i < 2; i++) await aws(['ecs', 'register-task-definition', '--family', 'web', '--container-definitions', containers])
    await aws(['ssm', 'put-parameter', '--name', '/e2e/p', '--value', 'v', '--type', 'String'])
    await aws(['logs', 'create-log-group', '--log-group-name', '/e2e'])

    const r = await cli!.kecs(['reset'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout.trim()).toMatch(/^Reset KECS "default" in \d+ ms: removed \d+ \(.*1 clusters.*1 log groups.*1 ssm parameters.*2 task definitions/)

    expect((await aws(['ecs', 'list-clusters'])).clusterArns).toEqual([])
    expect((await aws(['ecs', 'list-task-definitions'])).taskDefinitionArns).toEqual([])
    expect((await aws(['ssm', 'describe-parameters'])).Parameters).toEqual([])
    expect((await aws(['logs', 'describe-log-groups'])).logGroups).toEqual([])
    const reg = await aws(['ecs', 'register-task-definition', '--family', 'web', '--container-definitions', containers])
    expect(reg.taskDefinition.revision).toBe(1)

    const j = await cli!.kecs(['reset', '--json'])
    expect(j.exitCode, j.stderr).toBe(0)
    const body = JSON.parse(j.stdout)
    expect(body).toMatchObject({ reset: true, removed: { task_definitions: 1 } })
    expect(typeof body.ms).toBe('number')
  })

  it('an instance that is not running is a clear error', async () => {
    const r = await cli!.kecs(['reset', '--name', 'nothere'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('Error: KECS "nothere" is not running')
    expect(r.stderr).toContain('Hint: Start it with: kecs start -d --name nothere')
  })
})
