// Generated from the ECS model by scripts/operations-types.ts (`npm run operations`); do not edit.
import type * as Sdk from '@aws-sdk/client-ecs'

/** The operations of the ECS model, each with its request and response types from the SDK. */
export interface EcsOperations {
  AssociateGatewayWithCluster: { input: Sdk.AssociateGatewayWithClusterCommandInput; output: Sdk.AssociateGatewayWithClusterCommandOutput }
  ContinueServiceDeployment: { input: Sdk.ContinueServiceDeploymentCommandInput; output: Sdk.ContinueServiceDeploymentCommandOutput }
  CreateCapacityProvider: { input: Sdk.CreateCapacityProviderCommandInput; output: Sdk.CreateCapacityProviderCommandOutput }
  CreateCluster: { input: Sdk.CreateClusterCommandInput; output: Sdk.CreateClusterCommandOutput }
  CreateDaemon: { input: Sdk.CreateDaemonCommandInput; output: Sdk.CreateDaemonCommandOutput }
  CreateExpressGatewayService: { input: Sdk.CreateExpressGatewayServiceCommandInput; output: Sdk.CreateExpressGatewayServiceCommandOutput }
  CreateGateway: { input: Sdk.CreateGatewayCommandInput; output: Sdk.CreateGatewayCommandOutput }
  CreateService: { input: Sdk.CreateServiceCommandInput; output: Sdk.CreateServiceCommandOutput }
  CreateTaskSet: { input: Sdk.CreateTaskSetCommandInput; output: Sdk.CreateTaskSetCommandOutput }
  DeleteAccountSetting: { input: Sdk.DeleteAccountSettingCommandInput; output: Sdk.DeleteAccountSettingCommandOutput }
  DeleteAttributes: { input: Sdk.DeleteAttributesCommandInput; output: Sdk.DeleteAttributesCommandOutput }
  DeleteCapacityProvider: { input: Sdk.DeleteCapacityProviderCommandInput; output: Sdk.DeleteCapacityProviderCommandOutput }
  DeleteCluster: { input: Sdk.DeleteClusterCommandInput; output: Sdk.DeleteClusterCommandOutput }
  DeleteDaemon: { input: Sdk.DeleteDaemonCommandInput; output: Sdk.DeleteDaemonCommandOutput }
  DeleteDaemonTaskDefinition: { input: Sdk.DeleteDaemonTaskDefinitionCommandInput; output: Sdk.DeleteDaemonTaskDefinitionCommandOutput }
  DeleteExpressGatewayService: { input: Sdk.DeleteExpressGatewayServiceCommandInput; output: Sdk.DeleteExpressGatewayServiceCommandOutput }
  DeleteGateway: { input: Sdk.DeleteGatewayCommandInput; output: Sdk.DeleteGatewayCommandOutput }
  DeleteService: { input: Sdk.DeleteServiceCommandInput; output: Sdk.DeleteServiceCommandOutput }
  DeleteTaskDefinitions: { input: Sdk.DeleteTaskDefinitionsCommandInput; output: Sdk.DeleteTaskDefinitionsCommandOutput }
  DeleteTaskSet: { input: Sdk.DeleteTaskSetCommandInput; output: Sdk.DeleteTaskSetCommandOutput }
  DeregisterContainerInstance: { input: Sdk.DeregisterContainerInstanceCommandInput; output: Sdk.DeregisterContainerInstanceCommandOutput }
  DeregisterTaskDefinition: { input: Sdk.DeregisterTaskDefinitionCommandInput; output: Sdk.DeregisterTaskDefinitionCommandOutput }
  DescribeCapacityProviders: { input: Sdk.DescribeCapacityProvidersCommandInput; output: Sdk.DescribeCapacityProvidersCommandOutput }
  DescribeClusters: { input: Sdk.DescribeClustersCommandInput; output: Sdk.DescribeClustersCommandOutput }
  DescribeContainerInstances: { input: Sdk.DescribeContainerInstancesCommandInput; output: Sdk.DescribeContainerInstancesCommandOutput }
  DescribeDaemon: { input: Sdk.DescribeDaemonCommandInput; output: Sdk.DescribeDaemonCommandOutput }
  DescribeDaemonDeployments: { input: Sdk.DescribeDaemonDeploymentsCommandInput; output: Sdk.DescribeDaemonDeploymentsCommandOutput }
  DescribeDaemonRevisions: { input: Sdk.DescribeDaemonRevisionsCommandInput; output: Sdk.DescribeDaemonRevisionsCommandOutput }
  DescribeDaemonTaskDefinition: { input: Sdk.DescribeDaemonTaskDefinitionCommandInput; output: Sdk.DescribeDaemonTaskDefinitionCommandOutput }
  DescribeExpressGatewayService: { input: Sdk.DescribeExpressGatewayServiceCommandInput; output: Sdk.DescribeExpressGatewayServiceCommandOutput }
  DescribeGateway: { input: Sdk.DescribeGatewayCommandInput; output: Sdk.DescribeGatewayCommandOutput }
  DescribeGatewayResources: { input: Sdk.DescribeGatewayResourcesCommandInput; output: Sdk.DescribeGatewayResourcesCommandOutput }
  DescribeGatewayRoute: { input: Sdk.DescribeGatewayRouteCommandInput; output: Sdk.DescribeGatewayRouteCommandOutput }
  DescribeServiceDeployments: { input: Sdk.DescribeServiceDeploymentsCommandInput; output: Sdk.DescribeServiceDeploymentsCommandOutput }
  DescribeServiceRevisions: { input: Sdk.DescribeServiceRevisionsCommandInput; output: Sdk.DescribeServiceRevisionsCommandOutput }
  DescribeServices: { input: Sdk.DescribeServicesCommandInput; output: Sdk.DescribeServicesCommandOutput }
  DescribeTaskDefinition: { input: Sdk.DescribeTaskDefinitionCommandInput; output: Sdk.DescribeTaskDefinitionCommandOutput }
  DescribeTaskSets: { input: Sdk.DescribeTaskSetsCommandInput; output: Sdk.DescribeTaskSetsCommandOutput }
  DescribeTasks: { input: Sdk.DescribeTasksCommandInput; output: Sdk.DescribeTasksCommandOutput }
  DisassociateGatewayFromCluster: { input: Sdk.DisassociateGatewayFromClusterCommandInput; output: Sdk.DisassociateGatewayFromClusterCommandOutput }
  DiscoverPollEndpoint: { input: Sdk.DiscoverPollEndpointCommandInput; output: Sdk.DiscoverPollEndpointCommandOutput }
  ExecuteCommand: { input: Sdk.ExecuteCommandCommandInput; output: Sdk.ExecuteCommandCommandOutput }
  GetTaskProtection: { input: Sdk.GetTaskProtectionCommandInput; output: Sdk.GetTaskProtectionCommandOutput }
  ListAccountSettings: { input: Sdk.ListAccountSettingsCommandInput; output: Sdk.ListAccountSettingsCommandOutput }
  ListAttributes: { input: Sdk.ListAttributesCommandInput; output: Sdk.ListAttributesCommandOutput }
  ListClusters: { input: Sdk.ListClustersCommandInput; output: Sdk.ListClustersCommandOutput }
  ListContainerInstances: { input: Sdk.ListContainerInstancesCommandInput; output: Sdk.ListContainerInstancesCommandOutput }
  ListDaemonDeployments: { input: Sdk.ListDaemonDeploymentsCommandInput; output: Sdk.ListDaemonDeploymentsCommandOutput }
  ListDaemonTaskDefinitions: { input: Sdk.ListDaemonTaskDefinitionsCommandInput; output: Sdk.ListDaemonTaskDefinitionsCommandOutput }
  ListDaemons: { input: Sdk.ListDaemonsCommandInput; output: Sdk.ListDaemonsCommandOutput }
  ListGatewayClusterAssociations: { input: Sdk.ListGatewayClusterAssociationsCommandInput; output: Sdk.ListGatewayClusterAssociationsCommandOutput }
  ListGatewayRoutes: { input: Sdk.ListGatewayRoutesCommandInput; output: Sdk.ListGatewayRoutesCommandOutput }
  ListGateways: { input: Sdk.ListGatewaysCommandInput; output: Sdk.ListGatewaysCommandOutput }
  ListServiceDeployments: { input: Sdk.ListServiceDeploymentsCommandInput; output: Sdk.ListServiceDeploymentsCommandOutput }
  ListServices: { input: Sdk.ListServicesCommandInput; output: Sdk.ListServicesCommandOutput }
  ListServicesByNamespace: { input: Sdk.ListServicesByNamespaceCommandInput; output: Sdk.ListServicesByNamespaceCommandOutput }
  ListTagsForResource: { input: Sdk.ListTagsForResourceCommandInput; output: Sdk.ListTagsForResourceCommandOutput }
  ListTaskDefinitionFamilies: { input: Sdk.ListTaskDefinitionFamiliesCommandInput; output: Sdk.ListTaskDefinitionFamiliesCommandOutput }
  ListTaskDefinitions: { input: Sdk.ListTaskDefinitionsCommandInput; output: Sdk.ListTaskDefinitionsCommandOutput }
  ListTasks: { input: Sdk.ListTasksCommandInput; output: Sdk.ListTasksCommandOutput }
  PutAccountSetting: { input: Sdk.PutAccountSettingCommandInput; output: Sdk.PutAccountSettingCommandOutput }
  PutAccountSettingDefault: { input: Sdk.PutAccountSettingDefaultCommandInput; output: Sdk.PutAccountSettingDefaultCommandOutput }
  PutAttributes: { input: Sdk.PutAttributesCommandInput; output: Sdk.PutAttributesCommandOutput }
  PutClusterCapacityProviders: { input: Sdk.PutClusterCapacityProvidersCommandInput; output: Sdk.PutClusterCapacityProvidersCommandOutput }
  RegisterContainerInstance: { input: Sdk.RegisterContainerInstanceCommandInput; output: Sdk.RegisterContainerInstanceCommandOutput }
  RegisterDaemonTaskDefinition: { input: Sdk.RegisterDaemonTaskDefinitionCommandInput; output: Sdk.RegisterDaemonTaskDefinitionCommandOutput }
  RegisterTaskDefinition: { input: Sdk.RegisterTaskDefinitionCommandInput; output: Sdk.RegisterTaskDefinitionCommandOutput }
  RunTask: { input: Sdk.RunTaskCommandInput; output: Sdk.RunTaskCommandOutput }
  StartTask: { input: Sdk.StartTaskCommandInput; output: Sdk.StartTaskCommandOutput }
  StopServiceDeployment: { input: Sdk.StopServiceDeploymentCommandInput; output: Sdk.StopServiceDeploymentCommandOutput }
  StopTask: { input: Sdk.StopTaskCommandInput; output: Sdk.StopTaskCommandOutput }
  SubmitAttachmentStateChanges: { input: Sdk.SubmitAttachmentStateChangesCommandInput; output: Sdk.SubmitAttachmentStateChangesCommandOutput }
  SubmitContainerStateChange: { input: Sdk.SubmitContainerStateChangeCommandInput; output: Sdk.SubmitContainerStateChangeCommandOutput }
  SubmitTaskStateChange: { input: Sdk.SubmitTaskStateChangeCommandInput; output: Sdk.SubmitTaskStateChangeCommandOutput }
  TagResource: { input: Sdk.TagResourceCommandInput; output: Sdk.TagResourceCommandOutput }
  UntagResource: { input: Sdk.UntagResourceCommandInput; output: Sdk.UntagResourceCommandOutput }
  UpdateCapacityProvider: { input: Sdk.UpdateCapacityProviderCommandInput; output: Sdk.UpdateCapacityProviderCommandOutput }
  UpdateCluster: { input: Sdk.UpdateClusterCommandInput; output: Sdk.UpdateClusterCommandOutput }
  UpdateClusterSettings: { input: Sdk.UpdateClusterSettingsCommandInput; output: Sdk.UpdateClusterSettingsCommandOutput }
  UpdateContainerAgent: { input: Sdk.UpdateContainerAgentCommandInput; output: Sdk.UpdateContainerAgentCommandOutput }
  UpdateContainerInstancesState: { input: Sdk.UpdateContainerInstancesStateCommandInput; output: Sdk.UpdateContainerInstancesStateCommandOutput }
  UpdateDaemon: { input: Sdk.UpdateDaemonCommandInput; output: Sdk.UpdateDaemonCommandOutput }
  UpdateExpressGatewayService: { input: Sdk.UpdateExpressGatewayServiceCommandInput; output: Sdk.UpdateExpressGatewayServiceCommandOutput }
  UpdateGateway: { input: Sdk.UpdateGatewayCommandInput; output: Sdk.UpdateGatewayCommandOutput }
  UpdateService: { input: Sdk.UpdateServiceCommandInput; output: Sdk.UpdateServiceCommandOutput }
  UpdateServicePrimaryTaskSet: { input: Sdk.UpdateServicePrimaryTaskSetCommandInput; output: Sdk.UpdateServicePrimaryTaskSetCommandOutput }
  UpdateTaskProtection: { input: Sdk.UpdateTaskProtectionCommandInput; output: Sdk.UpdateTaskProtectionCommandOutput }
  UpdateTaskSet: { input: Sdk.UpdateTaskSetCommandInput; output: Sdk.UpdateTaskSetCommandOutput }
}

export type OperationName = keyof EcsOperations

/** The 88 operation names, sorted by name. */
export const OPERATION_NAMES = [
  'AssociateGatewayWithCluster',
  'ContinueServiceDeployment',
  'CreateCapacityProvider',
  'CreateCluster',
  'CreateDaemon',
  'CreateExpressGatewayService',
  'CreateGateway',
  'CreateService',
  'CreateTaskSet',
  'DeleteAccountSetting',
  'DeleteAttributes',
  'DeleteCapacityProvider',
  'DeleteCluster',
  'DeleteDaemon',
  'DeleteDaemonTaskDefinition',
  'DeleteExpressGatewayService',
  'DeleteGateway',
  'DeleteService',
  'DeleteTaskDefinitions',
  'DeleteTaskSet',
  'DeregisterContainerInstance',
  'DeregisterTaskDefinition',
  'DescribeCapacityProviders',
  'DescribeClusters',
  'DescribeContainerInstances',
  'DescribeDaemon',
  'DescribeDaemonDeployments',
  'DescribeDaemonRevisions',
  'DescribeDaemonTaskDefinition',
  'DescribeExpressGatewayService',
  'DescribeGateway',
  'DescribeGatewayResources',
  'DescribeGatewayRoute',
  'DescribeServiceDeployments',
  'DescribeServiceRevisions',
  'DescribeServices',
  'DescribeTaskDefinition',
  'DescribeTaskSets',
  'DescribeTasks',
  'DisassociateGatewayFromCluster',
  'DiscoverPollEndpoint',
  'ExecuteCommand',
  'GetTaskProtection',
  'ListAccountSettings',
  'ListAttributes',
  'ListClusters',
  'ListContainerInstances',
  'ListDaemonDeployments',
  'ListDaemonTaskDefinitions',
  'ListDaemons',
  'ListGatewayClusterAssociations',
  'ListGatewayRoutes',
  'ListGateways',
  'ListServiceDeployments',
  'ListServices',
  'ListServicesByNamespace',
  'ListTagsForResource',
  'ListTaskDefinitionFamilies',
  'ListTaskDefinitions',
  'ListTasks',
  'PutAccountSetting',
  'PutAccountSettingDefault',
  'PutAttributes',
  'PutClusterCapacityProviders',
  'RegisterContainerInstance',
  'RegisterDaemonTaskDefinition',
  'RegisterTaskDefinition',
  'RunTask',
  'StartTask',
  'StopServiceDeployment',
  'StopTask',
  'SubmitAttachmentStateChanges',
  'SubmitContainerStateChange',
  'SubmitTaskStateChange',
  'TagResource',
  'UntagResource',
  'UpdateCapacityProvider',
  'UpdateCluster',
  'UpdateClusterSettings',
  'UpdateContainerAgent',
  'UpdateContainerInstancesState',
  'UpdateDaemon',
  'UpdateExpressGatewayService',
  'UpdateGateway',
  'UpdateService',
  'UpdateServicePrimaryTaskSet',
  'UpdateTaskProtection',
  'UpdateTaskSet',
] as const satisfies readonly OperationName[]
