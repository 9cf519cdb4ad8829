/**
 * End-to-end: the web UI in headless Chromium (Debian's `chromium`, driven by playwright-core) against
 * an in-process instance on the emulated cluster, with the `aws` CLI acting beside it. Screenshots of
 * the overview, a service and a task go to test-artifacts/ui/.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { artifactsDir, chromiumPath } from '../helpers/browser.js'
import { cliHome, hasCommand, ROOT, until, type CliHome } from '../helpers/cli.js'
import { startClusterInstance, type ClusterInstance } from '../helpers/cluster-instance.js'

const executablePath = chromiumPath()
const hasAws = await hasCommand('aws', ['--version'])
const built = existsSync(join(ROOT, 'dist', 'ui', 'index.html'))
const why = !executablePath
  ? 'chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH)'
  : !hasAws
    ? 'the `aws` CLI is not installed'
    : !built
      ? 'the UI is not built (npm run build)'
      : ''
if (why) console.warn(`[e2e] ${why}: the web UI browser tests are SKIPPED`)

const CLUSTER = 'ui-e2e'
let kecs: ClusterInstance
let cli: CliHome
let browser: Browser
let page: Page
/** Console errors and page errors; the one step that expects an API error (a 400) says so. */
const errors: string[] = []
let expecting400 = false

const aws = (args: string[]) => cli.awsEcs(kecs.endpoint, args)
const shot = (name: string) => page.screenshot({ path: join(artifactsDir(), `${name}.png`), fullPage: true })

describe.skipIf(!!why)('web UI in headless Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    cli = cliHome('kecs-ui-')
    kecs = await startClusterInstance({ speed: 1 })
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    page.on('console', (m) => {
      if (m.type() !== 'error') return
      if (expecting400 && /status of 400/.test(m.text())) return
      errors.push(m.text())
    })
    page.on('pageerror', (e) => errors.push(String(e)))
    // Which call failed, in the API's words (a console error names no URL).
    page.on('response', async (r) => {
      if (r.status() < 400 || (expecting400 && r.status() === 400)) return
      const target = r.request().headers()['x-amz-target'] ?? ''
      errors.push(`${r.status()} ${r.request().method()} ${r.url()} ${target}: ${await r.text().catch(() => '')}`)
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await kecs?.stopAll()
    await cli?.cleanup()
  })

  it('a browser at / lands on /ui; a cluster created with the aws CLI appears without a reload', async () => {
    const res = await page.goto(kecs.endpoint + '/')
    expect(res?.ok()).toBe(true)
    expect(new URL(page.url()).pathname).toBe('/ui')
    await page.getByRole('heading', { name: 'Overview' }).waitFor()
    await page.getByText('emulated').or(page.getByText('none')).first().waitFor()
    const before = page.url()
    await aws(['create-cluster', '--cluster-name', CLUSTER])
    await page.locator(`tr[data-cluster="${CLUSTER}"]`).waitFor({ timeout: 10_000 })
    expect(page.url()).toBe(before)
  })

  it('a task started with the aws CLI goes RUNNING and then STOPPED on screen, and its logs show', async () => {
    await aws([
      'register-task-definition',
      '--family',
      'ticker',
      '--container-definitions',
      JSON.stringify([{ name: 'app', image: 'busybox:1.36', memory: 64, dockerLabels: { 'kecs.simulate.run-seconds': '10' } }]),
    ])
    await page.getByRole('link', { name: CLUSTER }).click()
    await page.getByRole('heading', { name: `Cluster ${CLUSTER}` }).waitFor()
    const run = await aws(['run-task', '--cluster', CLUSTER, '--task-definition', 'ticker'])
    const id = String(run.json.tasks[0].taskArn).split('/').pop()!
    const row = page.locator(`tr[data-task="${id}"]`)
    await row.waitFor({ timeout: 10_000 })
    await shot('cluster')
    await row.getByRole('link').click()
    await page.getByTestId('task-status').getByText('RUNNING', { exact: true }).waitFor({ timeout: 15_000 })
    await page.locator('pre.logs').getByText(/starting container app/).waitFor({ timeout: 10_000 })
    await shot('task')
    await page.getByTestId('task-status').getByText('STOPPED', { exact: true }).waitFor({ timeout: 20_000 })
    // The kept tail after it stopped.
    await page.locator('pre.logs').getByText(/app exited with code 0/).waitFor({ timeout: 10_000 })
    await expect(page.locator('.timeline').getByText('RUNNING', { exact: true }).count()).resolves.toBe(1)
  })

  it("scaling a service from the UI changes its desiredCount as describe-services sees it; a rollout shows; the deep link survives a reload; delete", async () => {
    await aws([
      'register-task-definition',
      '--family',
      'web',
      '--container-definitions',
      JSON.stringify([{ name: 'web', image: 'nginx:alpine', memory: 64, portMappings: [{ containerPort: 80 }] }]),
    ])
    await aws(['create-service', '--cluster', CLUSTER, '--service-name', 'web', '--task-definition', 'web', '--desired-count', '1'])
    await page.goto(`${kecs.endpoint}/ui/clusters/${CLUSTER}/services/web`)
    await page.getByRole('heading', { name: 'Service web' }).waitFor()
    await page.locator('input[name="desiredCount"]').fill('2')
    await page.getByRole('button', { name: 'Scale' }).click()
    await until(
      'desiredCount 2 in describe-services',
      async () => (await aws(['describe-services', '--cluster', CLUSTER, '--services', 'web'])).json.services[0].desiredCount === 2,
      15_000,
    )
    await page.getByTestId('desired-count').getByText('2', { exact: true }).waitFor()
    await page.locator('.service-events li').first().waitFor({ timeout: 15_000 })

    // A rollout, as it happens: a second deployment IN_PROGRESS, then one COMPLETED.
    const deployments = page.locator('section', { has: page.getByRole('heading', { name: 'Deployments' }) }).locator('tbody tr')
    await deployments.getByText('COMPLETED', { exact: true }).waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: 'Force new deployment' }).click()
    await deployments.getByText('IN_PROGRESS', { exact: true }).first().waitFor({ timeout: 10_000 })
    await until('the rollout to complete on screen', async () => (await deployments.count()) === 1 && (await deployments.getByText('COMPLETED', { exact: true }).count()) === 1, 30_000)
    await page.reload()
    await page.getByRole('heading', { name: 'Service web' }).waitFor()
    await shot('service')

    await page.getByRole('button', { name: 'Delete service' }).click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.textContent()).toContain('This cannot be undone')
    await dialog.getByRole('button', { name: 'Delete service' }).click()
    await page.waitForURL(new RegExp(`/ui/clusters/${CLUSTER}$`))
    const gone = (await aws(['describe-services', '--cluster', CLUSTER, '--services', 'web'])).json.services[0]
    expect(['DRAINING', 'INACTIVE']).toContain(gone.status)
    // the cluster page lists its container instances, as list-container-instances sees them
    const listed = (await aws(['list-container-instances', '--cluster', CLUSTER])).json.containerInstanceArns as string[]
    expect(listed.length).toBeGreaterThan(0)
    const row = page.locator(`tr[data-instance="${listed[0]!.split('/').pop()}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain('ACTIVE')
  })

  it('registers a task definition from pasted JSON; a bad one shows the API message', async () => {
    await page.getByRole('link', { name: 'Task definitions' }).click()
    await page.getByRole('heading', { name: 'Task definitions' }).waitFor()
    const good = { family: 'pasted', containerDefinitions: [{ name: 'app', image: 'busybox:1.36', memory: 32 }] }
    await page.locator('#register-json').fill(JSON.stringify(good))
    await page.getByRole('button', { name: 'Register', exact: true }).click()
    await page.waitForURL(/\/ui\/task-definitions\/pasted\/1$/)
    await page.locator('pre.json').getByText(/"family": "pasted"/).waitFor()
    await shot('task-definitions')
    const described = await aws(['describe-task-definition', '--task-definition', 'pasted:1'])
    expect(described.json.taskDefinition.containerDefinitions[0].image).toBe('busybox:1.36')

    // The API's own words for a bad input.
    const bad = JSON.stringify({ family: 'broken' })
    const direct = await fetch(kecs.endpoint + '/', {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition', 'Content-Type': 'application/x-amz-json-1.1' },
      body: bad,
    }).then((r) => r.json() as Promise<{ __type: string; message: string }>)
    expecting400 = true
    await page.locator('#register-json').fill(bad)
    await page.getByRole('button', { name: 'Register', exact: true }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain(direct.message)
    expect(await alert.textContent()).toContain(direct.__type)
    expecting400 = false
    await shot('task-definitions-error')
  })

  it('runs a task from a revision, stops it, and deregisters the revision, each after a confirmation', async () => {
    await page.goto(`${kecs.endpoint}/ui/task-definitions/pasted/1`)
    await page.getByRole('button', { name: 'Run task' }).click()
    await page.waitForURL(/\/ui\/clusters\/ui-e2e\/tasks\/[0-9a-f]{32}$/)
    const id = page.url().split('/').pop()!
    await page.getByTestId('task-status').getByText('RUNNING', { exact: true }).waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: 'Stop task' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Stop task' }).click()
    await page.getByTestId('task-status').getByText('STOPPED', { exact: true }).waitFor({ timeout: 20_000 })
    const stopped = await aws(['describe-tasks', '--cluster', CLUSTER, '--tasks', id])
    expect(stopped.json.tasks[0].stoppedReason).toBe('Stopped from the KECS web UI')

    await page.goto(`${kecs.endpoint}/ui/task-definitions/pasted/1`)
    await page.getByRole('button', { name: 'Deregister' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Deregister' }).click()
    await page.getByText('INACTIVE', { exact: true }).waitFor({ timeout: 10_000 })
    expect((await aws(['describe-task-definition', '--task-definition', 'pasted:1'])).json.taskDefinition.status).toBe('INACTIVE')
  })

  it('the overview lists the cluster with its counts and recent events; the live panel filters and pauses; no console errors', async () => {
    await page.goto(`${kecs.endpoint}/ui`)
    await page.locator(`tr[data-cluster="${CLUSTER}"]`).waitFor()
    await page.locator('.event-list li a').first().waitFor()
    await shot('overview')
    // The live panel's filters and pause.
    const panel = page.getByRole('complementary', { name: 'Live events' })
    await panel.getByLabel('Filter by cluster').fill('no-such-cluster')
    await panel.getByText('No events match the filters.').waitFor()
    await panel.getByLabel('Filter by cluster').fill(CLUSTER)
    await panel.getByLabel('Filter by type').selectOption('ECS Service Action')
    expect(new Set(await panel.locator('.event-list li .kind').allTextContents())).toEqual(new Set(['Service Action']))
    await panel.getByRole('button', { name: 'Pause' }).click()
    await panel.getByRole('button', { name: /^Resume/ }).click()
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.setViewportSize({ width: 420, height: 900 })
    await shot('overview-dark-narrow')
    expect(errors).toEqual([])
  })
})
