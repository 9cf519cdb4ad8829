import type { BenchSuite, TargetContext } from '../types.js'
import { parseTaskDefinitionArn, prng, taskDefinitionInput } from '../workloads.js'

const TOTAL = 10_000
const FAMILIES = 100
/** A full iteration that has not ended after this many pages is a pagination bug, not a slow server. */
const MAX_PAGES = 1_000

const family = (f: number) => `bench-fam-${String(f).padStart(3, '0')}`

/**
 * Reads with 10,000 stored task definitions in ~100 families: DescribeTaskDefinition (family,
 * family:rev and ARN, mixed) and ListTaskDefinitions (first page, familyPrefix, one family to the end).
 * Seeding goes through the API (RegisterTaskDefinition), so its throughput is reported too.
 */
export default {
  name: 'task-definitions-10k',
  extra: true,
  description: 'DescribeTaskDefinition / ListTaskDefinitions with 10,000 stored task definitions in 100 families',
  async run(ctx) {
    const total = ctx.n(TOTAL)
    const families = Math.min(FAMILIES, total)

    await ctx.compare(async (t) => {
      // Seed, keeping the ARNs each target answered (account ids and revisions differ between emulators).
      const arns: string[] = []
      const seed = await t.measure(
        `seed: RegisterTaskDefinition ×${total.toLocaleString('en-US')}`,
        total,
        32,
        async (i) => {
          const out = await t.call<{ taskDefinition?: { taskDefinitionArn?: string } }>(
            'RegisterTaskDefinition',
            taskDefinitionInput(family(i % families), i),
          )
          const arn = out.taskDefinition?.taskDefinitionArn
          if (arn) arns.push(arn)
        },
        { maxMs: 240_000 },
      )
      t.note(`seeding: ${seed.ok.toLocaleString('en-US')} task definitions in ${families} families took ${(seed.wallMs / 1000).toFixed(1)} s`)

      const parsed = arns.map((arn) => ({ arn, ...parseTaskDefinitionArn(arn) })).filter((p) => p.family !== undefined)
      if (parsed.length === 0) {
        // Nothing stored (e.g. the handler is missing): still send the calls, so the errors show up per workload.
        for (let i = 0; i < families; i++) parsed.push({ arn: `${family(i)}:1`, family: family(i), revision: 1 })
      }
      const perFamily = new Map<string, number>()
      for (const p of parsed) perFamily.set(p.family!, (perFamily.get(p.family!) ?? 0) + 1)

      await describeMix(t, parsed as { arn: string; family: string; revision: number }[], ctx.n(3_000))
      await listWorkloads(t, [...perFamily.entries()], ctx.n(1_000), ctx.n(200))
    })
  },
} satisfies BenchSuite

async function describeMix(t: TargetContext, stored: { arn: string; family: string; revision: number }[], n: number) {
  const rnd = prng(42)
  const refs = Array.from({ length: n }, (_, i) => {
    const td = stored[Math.floor(rnd() * stored.length)]!
    return i % 3 === 0 ? td.family : i % 3 === 1 ? `${td.family}:${td.revision}` : td.arn
  })
  await t.measure('DescribeTaskDefinition (family | family:rev | ARN)', n, 16, (i) =>
    t.call('DescribeTaskDefinition', { taskDefinition: refs[i % refs.length] }),
  )
}

type ListOut = { taskDefinitionArns?: string[]; nextToken?: string }

async function listWorkloads(t: TargetContext, families: [string, number][], n: number, iterations: number) {
  const rnd = prng(7)
  const pick = () => families[Math.floor(rnd() * families.length)]!

  // One probe per shape, so the table can be read knowing how much each answer carried.
  const probe = async (what: string, body: object) => {
    try {
      const out = await t.call<ListOut>('ListTaskDefinitions', body)
      t.note(`${what}: ${(out.taskDefinitionArns?.length ?? 0).toLocaleString('en-US')} ARNs per answer, nextToken ${out.nextToken ? 'set' : 'absent'}`)
    } catch (e) {
      t.note(`${what}: probe failed: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  await probe('ListTaskDefinitions first page (maxResults 100)', { maxResults: 100 })
  await t.measure('ListTaskDefinitions first page (maxResults 100)', n, 16, () => t.call('ListTaskDefinitions', { maxResults: 100 }), {
    maxMs: 30_000,
  })

  const prefixes = Array.from({ length: n }, () => pick()[0])
  await probe('ListTaskDefinitions familyPrefix (default page)', { familyPrefix: prefixes[0] })
  await t.measure('ListTaskDefinitions familyPrefix (default page)', n, 16, (i) => t.call('ListTaskDefinitions', { familyPrefix: prefixes[i] }), {
    maxMs: 30_000,
  })

  // One "call" here is a whole iteration, page after page; it fails when the count does not match.
  const picks = Array.from({ length: iterations }, pick)
  let pagesSeen = 0
  await t.measure(
    'ListTaskDefinitions one family, all pages (maxResults 10)',
    iterations,
    8,
    async (i) => {
      const [fam, expected] = picks[i]!
      let token: string | undefined
      let count = 0
      let pages = 0
      do {
        const out: ListOut = await t.call<ListOut>('ListTaskDefinitions', { familyPrefix: fam, maxResults: 10, ...(token ? { nextToken: token } : {}) })
        count += out.taskDefinitionArns?.length ?? 0
        token = out.nextToken
        if (++pages > MAX_PAGES) throw new Error(`still paging after ${MAX_PAGES} pages`)
      } while (token)
      pagesSeen = pages
      if (count !== expected) throw new Error(`family ${fam}: iterated ${count} ARNs, ${expected} were registered`)
    },
    { maxMs: 30_000 },
  )
  if (pagesSeen) t.note(`one family, all pages: ${pagesSeen} page${pagesSeen === 1 ? '' : 's'} per iteration`)
}
