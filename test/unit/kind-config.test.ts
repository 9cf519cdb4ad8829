import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  isPortFree,
  kindClusterName,
  nodeImage,
  portRanges,
  readKindConfig,
  renderKindConfig,
  shortImage,
} from '../../src/cluster/kind/config.js'

const dir = mkdtempSync(join(tmpdir(), 'kecs-kind-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('kind/cluster.yaml', () => {
  const cfg = readKindConfig() as any

  it('is a kind v1alpha4 Cluster with one control-plane node', () => {
    expect(cfg.kind).toBe('Cluster')
    expect(cfg.apiVersion).toBe('kind.x-k8s.io/v1alpha4')
    expect(cfg.nodes).toHaveLength(1)
    expect(cfg.nodes[0].role).toBe('control-plane')
  })

  it('pins the node image by digest', () => {
    expect(nodeImage(cfg)).toMatch(/^kindest\/node:v1\.32\.\d+@sha256:[0-9a-f]{64}$/)
    expect(shortImage(nodeImage(cfg))).toMatch(/^kindest\/node:v1\.32\.\d+$/)
  })

  it('publishes NodePorts 30000-30009 on 127.0.0.1 at the same port, and labels the node', () => {
    const maps = cfg.nodes[0].extraPortMappings
    expect(maps.map((m: any) => m.hostPort)).toEqual(Array.from({ length: 10 }, (_, i) => 30000 + i))
    for (const m of maps) {
      expect(m.containerPort).toBe(m.hostPort)
      expect(m.listenAddress).toBe('127.0.0.1')
      expect(m.protocol).toBe('TCP')
    }
    expect(cfg.nodes[0].labels).toEqual({ 'kecs.dev/managed-by': 'kecs' })
  })
})

describe('renderKindConfig', () => {
  it('keeps everything but the mappings whose host port is busy', async () => {
    const out = join(dir, 'r.yaml')
    const r = await renderKindConfig({ out, isPortFree: async (p) => p !== 30000 })
    expect(r.dropped).toEqual([30000])
    expect(r.published).toHaveLength(9)
    expect(r.image).toBe(nodeImage(readKindConfig()))
    const rendered = readKindConfig(out) as any
    expect(rendered.nodes[0].labels).toEqual({ 'kecs.dev/managed-by': 'kecs' })
    expect(rendered.nodes[0].extraPortMappings.map((m: any) => m.hostPort)).not.toContain(30000)
    expect(readFileSync(out, 'utf8')).toMatch(/^# Rendered by KECS from /)
  })

  it('isPortFree sees a port that is taken', async () => {
    const { createServer } = await import('node:net')
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as { port: number }).port
    expect(await isPortFree(port)).toBe(false)
    await new Promise<void>((r) => srv.close(() => r()))
    expect(await isPortFree(port)).toBe(true)
  })
})

describe('names', () => {
  it('kecs-<instance>, lowercased into a valid kind name', () => {
    expect(kindClusterName('default')).toBe('kecs-default')
    expect(kindClusterName('CI_run.2')).toBe('kecs-ci-run.2')
  })

  it('portRanges', () => {
    expect(portRanges([30002, 30000, 30001, 30005])).toBe('30000-30002, 30005')
  })
})
