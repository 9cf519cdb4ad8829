import { Counters, DocTable } from './doc-table.js'
import type { Store } from './store.js'

/** Key of a row scoped to an account and region (AWS isolates resources that way). */
export const scopedKey = (scope: { account: string; region: string }, ...parts: (string | number)[]) =>
  [scope.account, scope.region, ...parts].join('/')

/** One repository per resource family, all on the same store and write queue. */
export interface Repos {
  store: Store
  counters: Counters
  clusters: DocTable<any>
  taskDefinitions: DocTable<any>
  tags: DocTable<{ arn: string; tags: { key: string; value: string }[] }>
  accountSettings: DocTable<any>
  tasks: DocTable<any>
  services: DocTable<any>
  taskSets: DocTable<any>
  containerInstances: DocTable<any>
  attributes: DocTable<any>
  capacityProviders: DocTable<any>
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
  }
}
