import type { BenchSuite } from '../types.js'

/** CreateCluster with a new name per call: a plain write path (validation, one store write, response). */
export default {
  name: 'create-cluster',
  extra: true,
  description: 'CreateCluster, a new cluster name per call',
  async run(ctx) {
    const n = ctx.n(2_000)
    await ctx.compare(async (t) => {
      await t.measure('CreateCluster', n, 16, (i) => t.call('CreateCluster', { clusterName: `bench-${i}` }), { warmup: 32 })
    })
  },
} satisfies BenchSuite
