import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeInstance, type InstanceRecord } from '../../src/cli/registry.js'
import { loadImages } from '../../src/cli/load-image.js'
import { fakeTools, type FakeTools } from '../helpers/fake-kind.js'

let tools: FakeTools
let home: string
let lines: string[]

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kecs-home-'))
  lines = []
})
afterEach(() => {
  tools?.cleanup()
  rmSync(home, { recursive: true, force: true })
})

const load = (images: string[], name = 'default') => loadImages({ name, images, runner: tools.runner, home, log: (l) => lines.push(l) })

describe('kecs load-image', () => {
  it('runs `kind load docker-image IMAGE --name kecs-<name>` for each image, in order', async () => {
    tools = fakeTools({ clusters: ['kecs-default'], images: ['api:dev', 'worker:dev'] })
    await load(['api:dev', 'worker:dev'])
    expect(tools.calls().filter((c) => c.startsWith('kind load'))).toEqual([
      'kind load docker-image api:dev --name kecs-default',
      'kind load docker-image worker:dev --name kecs-default',
    ])
    expect(lines.filter((l) => l.startsWith('Loaded'))).toHaveLength(2)
  })

  it('an image Docker does not have: kind says so, and the hint says how to get it', async () => {
    tools = fakeTools({ clusters: ['kecs-default'], images: [] })
    const err = await load(['nope:1']).catch((e) => e)
    expect(err.message).toBe('kind could not load nope:1 into kecs-default: ERROR: image: "nope:1" not present locally')
    expect(err.hint).toContain('docker pull nope:1')
  })

  it('no Kind cluster yet: says how to create it', async () => {
    tools = fakeTools({ clusters: [] })
    const err = await load(['api:dev'], 'ci').catch((e) => e)
    expect(err.message).toBe('there is no Kind cluster kecs-ci to load images into')
    expect(err.hint).toBe('Create it first: kecs start --cluster kind -d --name ci')
    expect(tools.calls().some((c) => c.startsWith('kind load'))).toBe(false)
  })

  it('an instance on the emulated cluster: nothing to load into', async () => {
    tools = fakeTools({ clusters: ['kecs-default'], images: ['api:dev'] })
    const record: InstanceRecord = {
      name: 'default',
      pid: process.pid,
      host: '127.0.0.1',
      port: 1,
      adminPort: 2,
      endpoint: 'http://127.0.0.1:1',
      clusterProvider: 'emulated',
      startedAt: new Date().toISOString(),
      kubeconfig: null,
      region: 'us-east-1',
    }
    writeInstance(join(home, 'instances', 'default'), record)
    const err = await load(['api:dev']).catch((e) => e)
    expect(err.message).toMatch(/uses the emulated cluster, not a Kind cluster/)
    expect(tools.calls()).toEqual([])
  })

  it('Docker down: the same clear error as kecs start', async () => {
    tools = fakeTools({ docker: 'down', clusters: ['kecs-default'] })
    await expect(load(['api:dev'])).rejects.toThrow(/^the Docker daemon is not running: Cannot connect to the Docker daemon/)
  })
})
