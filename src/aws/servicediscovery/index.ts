import type { AwsService } from '../service.js'
import { discoverInstances, discoverInstancesRevision } from './discover.js'
import {
  deregisterInstance,
  getInstance,
  getInstancesHealthStatus,
  listInstances,
  registerInstance,
  updateInstanceCustomHealthStatus,
} from './instances.js'
import {
  createHttpNamespace,
  createPrivateDnsNamespace,
  createPublicDnsNamespace,
  deleteNamespace,
  getNamespace,
  listNamespaces,
  updateHttpNamespace,
  updatePrivateDnsNamespace,
  updatePublicDnsNamespace,
} from './namespaces.js'
import { getOperation, listOperations } from './operations.js'
import {
  createService,
  deleteService,
  deleteServiceAttributes,
  getService,
  getServiceAttributes,
  listServices,
  updateService,
  updateServiceAttributes,
} from './services.js'
import { CloudMapState } from './state.js'
import { listTagsForResource, tagResource, untagResource } from './tags.js'

export { CloudMapState } from './state.js'

/**
 * AWS Cloud Map (json 1.1, `Route53AutoNaming_v20170314.<Op>`, signing name `servicediscovery`).
 * Asynchronous operations complete before they answer (GetOperation says SUCCESS). The SDKs send
 * DiscoverInstances to `data-<endpoint host>`; the router does not look at the Host, so those calls are
 * served as soon as they arrive (clients must disable host prefix injection to reach a local endpoint).
 */
export const servicediscovery: AwsService<CloudMapState> = {
  name: 'servicediscovery',
  protocol: 'json',
  modelFile: 'servicediscovery-2017-03-14.service.json',
  open: (store) => CloudMapState.open(store),
  // Cloud Map's own code for bad input (its model has no ValidationException).
  validationErrorCode: 'InvalidInput',
  handlers: {
    CreateHttpNamespace: createHttpNamespace,
    CreatePrivateDnsNamespace: createPrivateDnsNamespace,
    CreatePublicDnsNamespace: createPublicDnsNamespace,
    GetNamespace: getNamespace,
    ListNamespaces: listNamespaces,
    UpdateHttpNamespace: updateHttpNamespace,
    UpdatePrivateDnsNamespace: updatePrivateDnsNamespace,
    UpdatePublicDnsNamespace: updatePublicDnsNamespace,
    DeleteNamespace: deleteNamespace,
    GetOperation: getOperation,
    ListOperations: listOperations,
    CreateService: createService,
    GetService: getService,
    ListServices: listServices,
    UpdateService: updateService,
    DeleteService: deleteService,
    GetServiceAttributes: getServiceAttributes,
    UpdateServiceAttributes: updateServiceAttributes,
    DeleteServiceAttributes: deleteServiceAttributes,
    RegisterInstance: registerInstance,
    DeregisterInstance: deregisterInstance,
    GetInstance: getInstance,
    ListInstances: listInstances,
    GetInstancesHealthStatus: getInstancesHealthStatus,
    UpdateInstanceCustomHealthStatus: updateInstanceCustomHealthStatus,
    DiscoverInstances: discoverInstances,
    DiscoverInstancesRevision: discoverInstancesRevision,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsForResource: listTagsForResource,
  },
}
