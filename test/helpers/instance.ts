import { ECSClient } from '@aws-sdk/client-ecs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startInstance, type Instance, type InstanceOptions } from '../../src/instance/instance.js'

export interface TestInstance {
  instance: Instance
  endpoint: string
  ecs: ECSClient
  /** Raw ECS call: returns status and parsed JSON body. */
  call(operation: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>
  stop(): Promise<void>
}

/** Starts an in-process instance on free ports, with its store in a temporary directory. */
export async function startTestInstance(opts: Partial<InstanceOptions> = {}): Promise<TestInstance> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kecs-test-'))
  const instance = await startInstance({ port: 0, adminPort: 0, ...opts, dir })
  const endpoint = instance.endpoint
  const ecs = new ECSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
  return {
    instance,
    endpoint,
    ecs,
    async call(operation, body = {}, headers = {}) {
      const res = await fetch(endpoint + '/', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${operation}`,
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        /* leave as text */
      }
      return { status: res.status, body: parsed, headers: res.headers }
    },
    async stop() {
      ecs.destroy()
      await instance.close()
      if (!opts.dir && dir !== ':memory:') rmSync(dir, { recursive: true, force: true })
    },
  }
}
