import { createRunner, type Runner } from '../../src/cluster/runner.js'
import { fakeKindTools, type FakeKindTools, type FakeToolsOptions } from '../../src/bench/fake-kind.js'

/** The fake docker and kind of src/bench/fake-kind.ts, with a Runner that has only them on PATH. */
export type { FakeToolsOptions }

export interface FakeTools extends FakeKindTools {
  runner: Runner
}

export function fakeTools(o: FakeToolsOptions = {}): FakeTools {
  const t = fakeKindTools(o)
  return { ...t, runner: createRunner({ env: t.env }) }
}
