/**
 * End-to-end: Express Mode through the BUILT CLI (`kecs start -d --cluster emulated`), driven with the
 * installed `aws` CLI; the endpoint is fetched on the KECS host.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, hasCommand, until, type CliHome } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the Express Mode e2e tests are SKIPPED')

const TIMEOUT = 180_000
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices'
const EXEC = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole'

let cli: CliHome | undefined
let endpoint = ''

const ecs = (args: string[], opts: { ok?: boolean } = {}) => cli!.awsEcs(endpoint, args, opts)

beforeAll(async () => {
  if (!hasAws) return
  if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
  cli = cliHome('kecs-e2e-express-', { env: (home) => ({ HOME: home, KECS_EMULATOR_SPEED: '5', KUBECACHEDIR: join(home, 'kube-cache') }) })
  endpoint = (await cli.startDetached('default', { args: ['--cluster', 'emulated'] })).endpoint
}, TIMEOUT)

afterAll(async () => {
  await cli?.cleanup()
})

describe.skipIf(!hasAws)('Express Mode with the aws CLI on `kecs start --cluster emulated`', { timeout: TIMEOUT }, () => {
  let serviceArn = ''

  it('create-express-gateway-service: a service in the default cluster whose endpoint answers on the host', async () => {
    const r = (
      await ecs([
        'create-express-gateway-service',
        '--infrastructure-role-arn', ROLE,
        '--execution-role-arn', EXEC,
        '--service-name', 'hello',
        '--primary-container', JSON.stringify({ image: 'nginx:1.27', containerPort: 8080 }),
        '--scaling-target', JSON.stringify({ minTaskCount: 1, maxTaskCount: 3 }),
      ])
    ).json.service
    serviceArn = r.serviceArn
    expect(r).toMatchObject({ serviceName: 'hello', status: { statusCode: 'ACTIVE' } })
    const url = new URL(r.activeConfigurations[0].ingressPaths[0].endpoint)
    expect(url.hostname).toMatch(/^he-[0-9a-f]{32}\.ecs\.us-east-1\.localhost$/)
    await until('service running', async () => (await ecs(['describe-services', '--cluster', 'default', '--services', 'hello'])).json.services[0].runningCount === 1, 90_000)
    const res = await until('endpoint answers', async () => {
      const x = await fetch(`http://127.0.0.1:${url.port}/ping`).catch(() => undefined)
      return x?.status === 200 ? x : undefined
    }, 30_000)
    expect(await res.text()).toContain('port 8080')
  })

  it('update-express-gateway-service: a new image is a new configuration; describe and delete', async () => {
    const u = (await ecs(['update-express-gateway-service', '--service-arn', serviceArn, '--primary-container', JSON.stringify({ image: 'nginx:1.28', containerPort: 8080 })])).json.service
    expect(u.targetConfiguration.primaryContainer.image).toBe('nginx:1.28')
    const d = (await ecs(['describe-express-gateway-service', '--service-arn', serviceArn])).json.service
    expect(d.activeConfigurations[0].primaryContainer.image).toBe('nginx:1.28')
    const missing = await ecs(['describe-express-gateway-service', '--service-arn', serviceArn.replace('hello', 'nope')], { ok: false })
    expect(missing.stderr).toContain('ResourceNotFoundException')
    const del = (await ecs(['delete-express-gateway-service', '--service-arn', serviceArn])).json.service
    expect(del.status.statusCode).toBe('DRAINING')
    await until('INACTIVE', async () => (await ecs(['describe-express-gateway-service', '--service-arn', serviceArn])).json.service.status.statusCode === 'INACTIVE', 90_000)
  })
})
