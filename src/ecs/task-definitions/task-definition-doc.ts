import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs'
import type { Wire } from '../types.js'

/**
 * A task definition revision as stored in `repos.taskDefinitions` under
 * `taskDefinitionKey(scope, family, revision)` (family-index.ts): the TaskDefinition shape as
 * DescribeTaskDefinition returns it, with the fields ECS fills at registration (normalize.ts).
 * The converters (src/kube/convert) read it to build pods and workloads.
 */
export type TaskDefinitionDoc = Wire<TaskDefinition>
export type ContainerDef = Wire<ContainerDefinition>
