import type { DocTable } from '../../store/doc-table.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Repos } from '../repos.js'
import type { TaskDefinitionDoc } from './task-definition-doc.js'

/**
 * An in-memory index of task definition revisions by scope and family, so List* calls and
 * "latest ACTIVE revision" look-ups stay fast with many thousands of stored definitions. It holds
 * revision numbers only; statuses are read from the table. Built lazily per table, kept current by
 * the register handler, and rebuilt if the table's row count no longer matches (written elsewhere).
 */
export interface ScopeIndex {
  /** family → revisions in ascending order */
  families: Map<string, number[]>
  /** family names in ascending order; recomputed when a family is added */
  sorted?: string[]
}

interface TableIndex {
  scopes: Map<string, ScopeIndex>
  count: number
  /** bumped on every change the handlers make (new revision, status change) */
  version: number
  /** derived lists (e.g. all ACTIVE ARNs in order), valid for one version */
  memo: Map<string, { version: number; value: unknown }>
}

type Scope = { account: string; region: string }

const indexes = new WeakMap<DocTable<TaskDefinitionDoc>, TableIndex>()

const scopeId = (s: Scope) => `${s.account}/${s.region}`

/** Primary key of one revision: `<account>/<region>/<family>/<revision>` (as `scopedKey` builds it). */
export const taskDefinitionKey = (s: Scope, family: string, revision: number) => scopedKey(s, family, revision)

function build(table: DocTable<TaskDefinitionDoc>): TableIndex {
  const idx: TableIndex = { scopes: new Map(), count: 0, version: 0, memo: new Map() }
  for (const [pk] of table.entries()) {
    const parts = pk.split('/')
    if (parts.length !== 4) continue
    const [account, region, family, rev] = parts as [string, string, string, string]
    add(idx, { account, region }, family, Number(rev))
  }
  for (const s of idx.scopes.values()) for (const revs of s.families.values()) revs.sort((a, b) => a - b)
  idx.count = table.size
  indexes.set(table, idx)
  return idx
}

function add(idx: TableIndex, scope: Scope, family: string, revision: number) {
  const id = scopeId(scope)
  let s = idx.scopes.get(id)
  if (!s) idx.scopes.set(id, (s = { families: new Map() }))
  let revs = s.families.get(family)
  if (!revs) {
    s.families.set(family, (revs = []))
    s.sorted = undefined
  }
  revs.push(revision)
  idx.count++
}

function current(table: DocTable<TaskDefinitionDoc>): TableIndex {
  const idx = indexes.get(table)
  return idx && idx.count === table.size ? idx : build(table)
}

/** The index of one account and region. */
export function scopeIndex(repos: Repos, scope: Scope): ScopeIndex {
  const s = current(repos.taskDefinitions).scopes.get(scopeId(scope))
  return s ?? { families: new Map(), sorted: [] }
}

export function sortedFamilies(s: ScopeIndex): string[] {
  s.sorted ??= [...s.families.keys()].sort(compareStrings)
  return s.sorted
}

export function revisionsOf(repos: Repos, scope: Scope, family: string): readonly number[] {
  return scopeIndex(repos, scope).families.get(family) ?? []
}

/**
 * Records a revision just staged into the table (call right after `stagePut` of a new key). Revisions
 * are reserved in increasing order and staged synchronously, so appending keeps the list sorted.
 */
export function recordRevision(repos: Repos, scope: Scope, family: string, revision: number) {
  const table = repos.taskDefinitions
  const idx = indexes.get(table)
  if (!idx) return
  if (idx.count + 1 !== table.size) {
    indexes.delete(table)
    return
  }
  add(idx, scope, family, revision)
  idx.version++
  const revs = idx.scopes.get(scopeId(scope))!.families.get(family)!
  const n = revs.length
  if (n > 1 && revs[n - 2]! > revs[n - 1]!) revs.sort((a, b) => a - b)
}

/** Records that a stored definition changed status (deregister, delete), so derived lists are recomputed. */
export function recordChange(repos: Repos) {
  const idx = indexes.get(repos.taskDefinitions)
  if (idx) idx.version++
}

/**
 * A value derived from the index and the statuses, recomputed only after a change: repeated List
 * calls over thousands of definitions then cost a slice, not a scan.
 */
export function memo<T>(repos: Repos, scope: Scope, key: string, compute: () => T): T {
  const idx = current(repos.taskDefinitions)
  const k = `${scopeId(scope)}|${key}`
  const hit = idx.memo.get(k)
  if (hit && hit.version === idx.version) return hit.value as T
  const value = compute()
  idx.memo.set(k, { version: idx.version, value })
  return value
}

/** Plain code-unit order, as ECS sorts family names (not locale order). */
const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
