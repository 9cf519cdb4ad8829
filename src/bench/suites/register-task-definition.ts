import type { BenchSuite } from '../types.js'
import { taskDefinitionInput } from '../workloads.js'

/** RegisterTaskDefinition into 10 families, so concurrent calls contend for the same revision counters. */
export default {
  name: 'register-task-definition',
  extra: true,
  description: 'RegisterTaskDefinition, 10 families (concurrent revisions of one family)',
  async run(ctx) {
    const n = ctx.n(2_000)
    await ctx.compare(async (t) => {
      await t.measure('RegisterTaskDefinition', n, 16, (i) => t.call('RegisterTaskDefinition', taskDefinitionInput(`bench-reg-${i % 10}`, i)), {
        warmup: 32,
      })
    })
  },
} satisfies BenchSuite
