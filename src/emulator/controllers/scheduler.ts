import type { KubeObject } from '../types.js'
import { requirementMatches, selectorMatches, type LabelSelector, type LabelSelectorRequirement } from './label-selector.js'
import { nodeIsReady } from './node.js'

/**
 * The default-scheduler's decision for one pod, reduced to what a one-node emulator needs:
 * node readiness, unschedulable, nodeSelector, required node affinity, required pod anti-affinity,
 * NoSchedule/NoExecute taints.
 * Among the nodes that fit, the one with the fewest pods wins.
 */
export type ScheduleResult = { node: KubeObject } | { message: string }

interface Term {
  matchExpressions?: LabelSelectorRequirement[]
  matchFields?: LabelSelectorRequirement[]
}

function termMatches(term: Term, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {}
  const fields = { 'metadata.name': node.metadata.name ?? '' }
  return (
    (term.matchExpressions ?? []).every((r) => requirementMatches(r, labels)) &&
    (term.matchFields ?? []).every((r) => requirementMatches(r, fields))
  )
}

function affinityMatches(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {}
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false
  const terms: Term[] | undefined =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
  return !terms || terms.length === 0 || terms.some((t) => termMatches(t, node))
}

function tolerates(pod: KubeObject, taint: any): boolean {
  return (pod.spec?.tolerations ?? []).some((t: any) => {
    if (t.effect && t.effect !== taint.effect) return false
    if (t.operator === 'Exists') return !t.key || t.key === taint.key
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '')
  })
}

const untolerated = (pod: KubeObject, node: KubeObject) =>
  (node.spec?.taints ?? []).find((t: any) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod, t))

/** A pod already bound to a node (what anti-affinity looks at). */
export interface PlacedPod {
  pod: KubeObject
  nodeName: string
}

interface AntiAffinityTerm {
  labelSelector?: LabelSelector
  topologyKey: string
  namespaces?: string[]
}

/** Whether a required anti-affinity term of the pod rules the node out (a matching pod in the same topology domain). */
function antiAffinityConflict(pod: KubeObject, node: KubeObject, nodes: KubeObject[], placed: PlacedPod[]): boolean {
  const terms: AntiAffinityTerm[] = pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
  for (const term of terms) {
    const domain = node.metadata.labels?.[term.topologyKey]
    if (domain === undefined) continue
    const namespaces = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace]
    for (const p of placed) {
      if (p.pod.metadata.uid && p.pod.metadata.uid === pod.metadata.uid) continue
      if (!namespaces.includes(p.pod.metadata.namespace)) continue
      const on = nodes.find((n) => n.metadata.name === p.nodeName)
      if (on?.metadata.labels?.[term.topologyKey] !== domain) continue
      if (selectorMatches(term.labelSelector, p.pod.metadata.labels)) return true
    }
  }
  return false
}

/** Why a pod cannot run on a node regardless of its readiness (node selector, affinity, taints), or undefined. */
export function fitFailure(pod: KubeObject, node: KubeObject, nodes: KubeObject[] = [], placed: PlacedPod[] = []): string | undefined {
  if (!affinityMatches(pod, node)) return "node(s) didn't match Pod's node affinity/selector"
  if (antiAffinityConflict(pod, node, nodes, placed)) return "node(s) didn't match pod anti-affinity rules"
  const taint = untolerated(pod, node)
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`
  return undefined
}

export function pickNode(pod: KubeObject, nodes: KubeObject[], podsPerNode: Map<string, number>, placed: PlacedPod[] = []): ScheduleResult {
  const reasons = new Map<string, number>()
  const fail = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1)
  const fits: KubeObject[] = []
  for (const node of nodes) {
    if (node.metadata.deletionTimestamp) continue
    const why = fitFailure(pod, node, nodes, placed)
    if (!nodeIsReady(node)) fail('node(s) had untolerated taint {node.kubernetes.io/not-ready: }')
    else if (node.spec?.unschedulable) fail('node(s) were unschedulable')
    else if (why) fail(why)
    else fits.push(node)
  }
  if (fits.length > 0) {
    fits.sort(
      (a, b) =>
        (podsPerNode.get(a.metadata.name!) ?? 0) - (podsPerNode.get(b.metadata.name!) ?? 0) ||
        a.metadata.name!.localeCompare(b.metadata.name!),
    )
    return { node: fits[0]! }
  }
  const n = nodes.length
  const detail = [...reasons].map(([r, c]) => `${c} ${r}`).join(', ')
  return {
    message:
      n === 0
        ? 'no nodes available to schedule pods'
        : `0/${n} nodes are available: ${detail}. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`,
  }
}
