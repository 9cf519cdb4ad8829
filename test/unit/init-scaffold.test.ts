import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadYaml } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SCAFFOLD, scaffold, scaffoldLines, TEMPLATES_DIR } from '../../src/cli/init.js'
import { startTestInstance } from '../helpers/instance.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kecs-init-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('kecs init', () => {
  it('writes the workflow, the task definition and the service', () => {
    const r = scaffold(dir)
    expect(r).toEqual({ created: ['.github/workflows/kecs.yml', 'kecs/task-definition.json', 'kecs/service.json'], skipped: [] })
    for (const f of SCAFFOLD) expect(readFileSync(join(dir, f.path), 'utf8')).toBe(readFileSync(join(TEMPLATES_DIR, f.template), 'utf8'))
    expect(scaffoldLines(r)[0]).toMatch(/^created {2}\.github\/workflows\/kecs\.yml/)
  })

  it('never overwrites: existing files are skipped and reported', () => {
    mkdirSync(join(dir, 'kecs'))
    writeFileSync(join(dir, 'kecs/service.json'), '{"mine": true}')
    const r = scaffold(dir)
    expect(r.skipped).toEqual(['kecs/service.json'])
    expect(r.created).toHaveLength(2)
    expect(readFileSync(join(dir, 'kecs/service.json'), 'utf8')).toBe('{"mine": true}')
    expect(scaffoldLines(r)).toContain('skipped  kecs/service.json  (it already exists; left unchanged)')

    const again = scaffold(dir)
    expect(again.created).toEqual([])
    expect(again.skipped).toHaveLength(3)
    expect(scaffoldLines(again)).toContain('Nothing to do: every file already exists.')
  })

  it('the workflow installs kind, starts KECS detached, evals kecs env, runs the tests and deletes the cluster', () => {
    scaffold(dir)
    const wf = loadYaml<any>(readFileSync(join(dir, '.github/workflows/kecs.yml'), 'utf8'))
    const steps: { name?: string; run?: string; if?: string }[] = wf.jobs['ecs-tests'].steps
    const runs = steps.map((s) => s.run ?? '').join('\n')
    const order = ['kind-linux-', 'kecs start -d', 'eval "$(npx --yes kecs env)"', 'npm test', 'kecs stop --delete-cluster']
    const at = order.map((s) => runs.indexOf(s))
    expect(at.every((i) => i >= 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(steps.at(-1)!.if).toBe('always()')
  })

  it('the samples are valid ECS inputs that refer to each other', () => {
    scaffold(dir)
    const td = JSON.parse(readFileSync(join(dir, 'kecs/task-definition.json'), 'utf8'))
    const svc = JSON.parse(readFileSync(join(dir, 'kecs/service.json'), 'utf8'))
    expect(td.family).toBe(svc.taskDefinition)
    expect(td.containerDefinitions[0].image).toMatch(/:/)
    expect(svc.serviceName).toBe('web')
    expect(existsSync(join(dir, '.github/workflows/kecs.yml'))).toBe(true)
  })

  it('KECS accepts the sample task definition as written', async () => {
    scaffold(dir)
    const t = await startTestInstance()
    try {
      const td = JSON.parse(readFileSync(join(dir, 'kecs/task-definition.json'), 'utf8'))
      const r = await t.call('RegisterTaskDefinition', td)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.taskDefinition.taskDefinitionArn).toMatch(/task-definition\/web:1$/)
    } finally {
      await t.stop()
    }
  })
})
