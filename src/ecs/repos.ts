import type { Attribute } from '@aws-sdk/client-ecs'
import { Counters, DocTable } from '../store/doc-table.js'
import type { Store } from '../store/store.js'
import type { SettingDoc } from './account-settings.js'
import type { CapacityProviderDoc } from './capacity-providers/provider-doc.js'
import type { ClusterDoc } from './clusters/cluster-doc.js'
import type { ServiceDoc } from './services/service-doc.js'
import type { TaskSetDoc } from './services/task-set-doc.js'
import type { TagDoc } from './tag-store.js'
import type { TaskDefinitionDoc } from './task-definitions/task-definition-doc.js'
import type { DaemonDoc } from './daemons/daemon-doc.js'
import type { DaemonTaskDefinitionDoc } from './daemons/task-definitions.js'
import type { GatewayDoc } from './gateways/gateway-doc.js'
import type { ContainerInstanceDoc } from './tasks/node-instances.js'
import type { TaskDoc } from './tasks/task-doc.js'
import type { Wire } from './types.js'

export type AttributeDoc = Wire<Attribute>
export type { CapacityProviderDoc }

/** One repository per resource family, each typed by the doc it holds, all on the same store and write queue. */
export interface Repos {
  store: Store
  counters: Counters
  clusters: DocTable<ClusterDoc>
  taskDefinitions: DocTable<TaskDefinitionDoc>
  tags: DocTable<TagDoc>
  accountSettings: DocTable<SettingDoc>
  tasks: DocTable<TaskDoc>
  services: DocTable<ServiceDoc>
  taskSets: DocTable<TaskSetDoc>
  containerInstances: DocTable<ContainerInstanceDoc>
  attributes: DocTable<AttributeDoc>
  capacityProviders: DocTable<CapacityProviderDoc>
  daemons: DocTable<DaemonDoc>
  daemonTaskDefinitions: DocTable<DaemonTaskDefinitionDoc>
  gateways: DocTable<GatewayDoc>
}

export async function openRepos(store: Store): Promise<Repos> {
  const t = <T>(name: string) => new DocTable<T>(store, name).load()
  return {
    store,
    counters: await new Counters(store).load(),
    clusters: await t('clusters'),
    taskDefinitions: await t('task_definitions'),
    tags: await t('tags'),
    accountSettings: await t('account_settings'),
    tasks: await t('tasks'),
    services: await t('services'),
    taskSets: await t('task_sets'),
    containerInstances: await t('container_instances'),
    attributes: await t('attributes'),
    capacityProviders: await t('capacity_providers'),
    daemons: await t('daemons'),
    daemonTaskDefinitions: await t('daemon_task_definitions'),
    gateways: await t('gateways'),
  }
}
