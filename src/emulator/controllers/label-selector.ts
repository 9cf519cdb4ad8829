/** metav1.LabelSelector matching, as the controllers and the scheduler need it. */
export interface LabelSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export function requirementMatches(r: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key)
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(labels[r.key]!)
    case 'NotIn':
      return !has || !(r.values ?? []).includes(labels[r.key]!)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
    case 'Gt':
    case 'Lt': {
      if (!has) return false
      const v = Number(labels[r.key])
      const bound = Number(r.values?.[0])
      return Number.isFinite(v) && Number.isFinite(bound) && (r.operator === 'Gt' ? v > bound : v < bound)
    }
    default:
      return false
  }
}

/** An undefined selector matches nothing; an empty one ({}) matches everything (metav1.LabelSelectorAsSelector). */
export function selectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false
  const l = labels ?? {}
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false
  return (sel.matchExpressions ?? []).every((r) => requirementMatches(r, l))
}

export const selectorIsEmpty = (sel: LabelSelector | undefined | null) =>
  !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)

/** A Service-style selector (plain map); empty or missing selects nothing. */
export function mapSelectorMatches(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || Object.keys(sel).length === 0) return false
  const l = labels ?? {}
  return Object.entries(sel).every(([k, v]) => l[k] === v)
}
