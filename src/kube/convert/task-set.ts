import type { Service, TaskSet } from '@aws-sdk/client-ecs'
import type { V1Deployment } from '@kubernetes/client-node'
import type { Wire } from '../../ecs/types.js'
import type { TaskDefinitionDoc } from '../../ecs/task-definitions/task-definition-doc.js'
import type { ConvertContext } from './context.js'
import { ANNOTATIONS, LABELS, sanitizeLabelValue } from './labels.js'
import { dnsLabel } from './names.js'
import { serviceToWorkload, type ServiceToWorkloadResult } from './service.js'

/**
 * A task set of an EXTERNAL service → its own Deployment (serviceToWorkload with the task set's
 * settings), pure. docs/ecs-on-kubernetes.md#task-sets
 */
export interface TaskSetToWorkloadInput extends ConvertContext {
  service: Wire<Service>
  taskSet: Pick<
    Wire<TaskSet>,
    'id' | 'taskSetArn' | 'launchType' | 'capacityProviderStrategy' | 'networkConfiguration' | 'loadBalancers' | 'serviceRegistries' | 'platformVersion'
  > & { id: string }
  taskDefinition: TaskDefinitionDoc
  replicas: number
}

export const taskSetWorkloadName = (serviceName: string, taskSetId: string) =>
  dnsLabel(`${serviceName}-${taskSetId.slice(taskSetId.lastIndexOf('/') + 1)}`, { startWithLetter: true })

export const taskSetLabelValue = (taskSetId: string) => sanitizeLabelValue(taskSetId.replace('/', '.'))

export function taskSetToWorkload(input: TaskSetToWorkloadInput): ServiceToWorkloadResult {
  const ts = input.taskSet
  const svc = input.service
  const out = serviceToWorkload({
    ...input,
    service: {
      serviceName: svc.serviceName,
      serviceArn: svc.serviceArn,
      desiredCount: input.replicas,
      schedulingStrategy: 'REPLICA',
      deploymentConfiguration: svc.deploymentConfiguration,
      placementConstraints: svc.placementConstraints,
      placementStrategy: svc.placementStrategy,
      launchType: ts.launchType,
      capacityProviderStrategy: ts.capacityProviderStrategy,
      networkConfiguration: ts.networkConfiguration,
      loadBalancers: ts.loadBalancers,
      serviceRegistries: ts.serviceRegistries,
      platformVersion: ts.platformVersion,
    },
    deploymentId: ts.id,
    secretOwner: taskSetWorkloadName(svc.serviceName ?? '', ts.id),
  })
  const w = out.workload as V1Deployment
  const label = taskSetLabelValue(ts.id)
  w.metadata!.name = taskSetWorkloadName(svc.serviceName ?? '', ts.id)
  w.metadata!.labels = { ...w.metadata!.labels, [LABELS.deployment]: label }
  if (ts.taskSetArn) w.metadata!.annotations = { ...w.metadata!.annotations, [TASK_SET_ARN_ANNOTATION]: ts.taskSetArn }
  w.spec!.selector.matchLabels = { ...w.spec!.selector.matchLabels, [LABELS.deployment]: label }
  // the template already carries the label and the id annotations (deploymentId = the task set id)
  return out
}

/** The task set's ARN on its Deployment (its id is in `kecs.dev/deployment-id`). */
const TASK_SET_ARN_ANNOTATION = 'kecs.dev/task-set-arn'

/** The task set id a Deployment runs, if it is a task set's. */
export const taskSetIdOfWorkload = (w: V1Deployment): string | undefined =>
  w.metadata?.labels?.[LABELS.deployment] ? w.metadata?.annotations?.[ANNOTATIONS.deploymentId] : undefined
