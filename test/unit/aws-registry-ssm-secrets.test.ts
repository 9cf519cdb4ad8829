import { describe, expect, it } from 'vitest'
import { loadModel } from '../../src/aws/models/index.js'
import { AWS_SERVICES, openAwsServices } from '../../src/aws/registry.js'
import { Store } from '../../src/store/store.js'

describe('SSM and Secrets Manager in the registry', () => {
  it('are registered with their models, and every handler is an operation of the model', () => {
    for (const [name, file, prefix] of [
      ['ssm', 'ssm-2014-11-06.service.json', 'AmazonSSM'],
      ['secretsmanager', 'secretsmanager-2017-10-17.service.json', 'secretsmanager'],
    ] as const) {
      const service = AWS_SERVICES.find((s) => s.name === name)
      expect(service, name).toBeDefined()
      expect(service!.protocol).toBe('json')
      expect(service!.modelFile).toBe(file)
      const model = loadModel(file)
      expect(model.metadata.targetPrefix).toBe(prefix)
      for (const op of Object.keys(service!.handlers)) expect(model.operations[op], `${name} ${op}`).toBeDefined()
    }
  })

  it('open their state on a fresh store (migration 4 made the tables)', async () => {
    const store = await Store.open(':memory:')
    try {
      const opened = await openAwsServices(store)
      expect(opened.get('ssm')?.state).toBeDefined()
      expect(opened.get('secretsmanager')?.state).toBeDefined()
      const rows = await store.query<{ version: number }>('SELECT version FROM schema_migrations')
      expect(rows.map((r) => Number(r.version))).toContain(4)
    } finally {
      await store.close()
    }
  })
})
