import { getTags } from '../tag-store.js'
import type { TaskDefinitionDoc } from '../task-definitions/task-definition-doc.js'
import type { EcsDeps } from '../types.js'

/**
 * Tags the tasks of a new deployment get: the service's tags with propagateTags SERVICE, the task
 * definition's with TASK_DEFINITION, plus `aws:ecs:clusterName` / `aws:ecs:serviceName` with
 * enableECSManagedTags. Fixed when the deployment starts (as in ECS: changing propagateTags affects
 * tasks of later deployments).
 */
export function deploymentTaskTags(
  deps: Pick<EcsDeps, 'repos'>,
  o: {
    propagateTags?: string
    enableECSManagedTags?: boolean
    serviceTags: { key: string; value: string }[]
    taskDefinition?: TaskDefinitionDoc
    clusterName: string
    serviceName: string
  },
): { key: string; value: string }[] {
  const byKey = new Map<string, string>()
  if (o.propagateTags === 'SERVICE') for (const t of o.serviceTags) byKey.set(t.key, t.value)
  if (o.propagateTags === 'TASK_DEFINITION' && o.taskDefinition?.taskDefinitionArn) {
    for (const t of getTags(deps.repos, o.taskDefinition.taskDefinitionArn)) byKey.set(t.key ?? '', t.value ?? '')
  }
  if (o.enableECSManagedTags) {
    byKey.set('aws:ecs:clusterName', o.clusterName)
    byKey.set('aws:ecs:serviceName', o.serviceName)
  }
  return [...byKey].map(([key, value]) => ({ key, value }))
}
