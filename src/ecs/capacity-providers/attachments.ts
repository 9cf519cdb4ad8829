import type { Attachment } from '@aws-sdk/client-ecs'
import { randomUUID } from 'node:crypto'
import type { ClusterDoc } from '../clusters/cluster-doc.js'
import type { RequestContext } from '../context.js'
import type { Repos } from '../repos.js'
import type { Wire } from '../types.js'
import { findProvider } from './provider-doc.js'

type Scope = Pick<RequestContext, 'account' | 'region'>

/**
 * What ECS attaches to a cluster for its Auto Scaling group providers: the managed scaling policy
 * (`as_policy`) when managed scaling is on, and the draining lifecycle hook (`managed_draining`) when
 * managed draining is. Fargate providers need neither. An attachment the cluster already has for a
 * provider keeps its id.
 */
export function providerAttachments(repos: Pick<Repos, 'capacityProviders'>, scope: Scope, doc: ClusterDoc): Wire<Attachment>[] {
  const before = doc.attachments ?? []
  const keep = (type: string, provider: string) =>
    before.find((a) => a.type === type && a.details?.some((d) => d.name === 'capacityProviderName' && d.value === provider))
  const out: Wire<Attachment>[] = []
  for (const name of doc.capacityProviders ?? []) {
    const asg = findProvider(repos, scope, name)?.autoScalingGroupProvider
    if (!asg) continue
    if (asg.managedScaling?.status === 'ENABLED') {
      out.push(
        keep('as_policy', name) ?? {
          id: randomUUID(),
          type: 'as_policy',
          status: 'CREATED',
          details: [
            { name: 'capacityProviderName', value: name },
            { name: 'scalingPolicyName', value: `ECSManagedAutoScalingPolicy-${randomUUID()}` },
          ],
        },
      )
    }
    if (asg.managedDraining === 'ENABLED') {
      out.push(
        keep('managed_draining', name) ?? {
          id: randomUUID(),
          type: 'managed_draining',
          status: 'CREATED',
          details: [
            { name: 'capacityProviderName', value: name },
            { name: 'autoScalingLifecycleHookName', value: 'ecs-managed-draining-termination-hook' },
          ],
        },
      )
    }
  }
  return out
}

/** A cluster with capacity providers (or that had some) carries its attachments and their status. */
export function capacityAttachments(
  repos: Pick<Repos, 'capacityProviders'>,
  scope: Scope,
  doc: ClusterDoc,
): Pick<ClusterDoc, 'attachments' | 'attachmentsStatus'> {
  if ((doc.capacityProviders?.length ?? 0) === 0 && !doc.attachments) return {}
  return { attachments: providerAttachments(repos, scope, doc), attachmentsStatus: 'UPDATE_COMPLETE' }
}
