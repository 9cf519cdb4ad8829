import { paginate } from '../paging.js'
import { invalidInput } from './ids.js'

type Condition = 'EQ' | 'IN' | 'BETWEEN' | 'BEGINS_WITH'

export interface Filter {
  Name: string
  Values: string[]
  Condition?: Condition
}

/** Which conditions each filter name takes (the first is the default), and how it reads a value from an item. */
export type FilterSpec<T> = Record<string, { conditions: Condition[]; value: (item: T) => string | number | undefined }>

/**
 * Applies ListNamespaces / ListServices / ListOperations filters: every filter must match. EQ takes one
 * value, IN several, BEGINS_WITH one prefix, BETWEEN two bounds (UPDATE_DATE, epoch seconds).
 */
export function applyFilters<T>(items: T[], filters: Filter[] | undefined, spec: FilterSpec<T>): T[] {
  let out = items
  for (const f of filters ?? []) {
    const s = spec[f.Name]
    if (!s) throw invalidInput(`Filter name ${f.Name} is not supported for this operation.`)
    const cond = f.Condition ?? s.conditions[0]!
    if (!s.conditions.includes(cond)) throw invalidInput(`Condition ${cond} is not supported for filter ${f.Name}.`)
    const values = f.Values ?? []
    if ((cond === 'EQ' || cond === 'BEGINS_WITH') && values.length !== 1) throw invalidInput(`Filter ${f.Name} with condition ${cond} takes exactly one value.`)
    if (cond === 'BETWEEN' && values.length !== 2) throw invalidInput(`Filter ${f.Name} with condition BETWEEN takes exactly two values.`)
    if (cond === 'IN' && values.length === 0) throw invalidInput(`Filter ${f.Name} with condition IN takes at least one value.`)
    out = out.filter((item) => {
      const v = s.value(item)
      if (v === undefined) return false
      switch (cond) {
        case 'EQ':
          return String(v) === values[0]
        case 'IN':
          return values.includes(String(v))
        case 'BEGINS_WITH':
          return String(v).startsWith(values[0]!)
        case 'BETWEEN': {
          const [lo, hi] = values.map(Number) as [number, number]
          if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw invalidInput(`Filter ${f.Name} takes two dates.`)
          return Number(v) >= lo && Number(v) <= hi
        }
      }
    })
  }
  return out
}

/** Cloud Map's paging: MaxResults (default 100) and an opaque NextToken, none on the last page. */
export function page<T>(items: T[], input: { MaxResults?: number; NextToken?: string }, kind: string) {
  return paginate(items, {
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
    defaultMax: 100,
    kind,
    invalidToken: () => invalidInput('The NextToken is not valid.'),
  })
}
