import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AwsContext, AwsService } from '../../src/aws/service.js'
import { AwsError } from '../../src/aws/service.js'
import { Store } from '../../src/store/store.js'

/** A neighbour service opened on a store in a temp dir, with a settable clock, for handler tests. */
export interface ServiceHarness<S> {
  state: S
  clock: { now: number }
  call(op: string, input?: Record<string, unknown>, scope?: { account?: string; region?: string }): Promise<any>
  /** The AwsError an operation throws (fails the test if it succeeds). */
  fail(op: string, input?: Record<string, unknown>, scope?: { account?: string; region?: string }): Promise<AwsError>
  /** Closes and reopens the store, as a restart does. */
  restart(): Promise<void>
  close(): Promise<void>
}

export const ACCOUNT = '000000000000'
export const REGION = 'us-east-1'

export async function openService<S>(service: AwsService<S>, start = Date.UTC(2026, 0, 10, 12, 0, 0)): Promise<ServiceHarness<S>> {
  const dir = mkdtempSync(join(tmpdir(), `kecs-${service.name}-`))
  let store = await Store.open(join(dir, 'kecs.duckdb'))
  const h: ServiceHarness<S> = {
    state: await service.open(store),
    clock: { now: start },
    async call(op, input = {}, scope = {}) {
      const handler = service.handlers[op]
      if (!handler) throw new Error(`${service.name} has no handler for ${op}`)
      const account = scope.account ?? ACCOUNT
      const ctx: AwsContext = {
        account,
        region: scope.region ?? REGION,
        requestId: 'req-1',
        operation: op,
        principalArn: `arn:aws:iam::${account}:root`,
        now: () => h.clock.now,
      }
      return (await handler(structuredClone(input), ctx, h.state)) ?? {}
    },
    async fail(op, input = {}, scope = {}) {
      try {
        await h.call(op, input, scope)
      } catch (e) {
        if (e instanceof AwsError) return e
        throw e
      }
      throw new Error(`${op} succeeded; an AwsError was expected`)
    },
    async restart() {
      await store.close()
      store = await Store.open(join(dir, 'kecs.duckdb'))
      h.state = await service.open(store)
    },
    async close() {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return h
}
