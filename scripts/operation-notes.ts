/**
 * What an implemented operation does not do yet, for the README's operations table: an operation named
 * here is listed as partial with this text; the others as implemented. Details per family in docs/.
 */
export const PARTIAL: Record<string, string> = {
  ExecuteCommand:
    'Checks and answers as ECS does; the SSM data channel is not served, so `aws ecs execute-command` stops at the Session Manager plugin. `kecs exec` runs the command.',
  ContinueServiceDeployment: 'KECS never pauses a deployment at a lifecycle hook, so every call is refused as ECS refuses one for a deployment that is not paused.',
  CreateCapacityProvider: 'Managed scaling does nothing (no Auto Scaling group); Managed Instances providers launch no instances.',
  UpdateCapacityProvider: 'Settings are stored; managed scaling does nothing.',
  DeregisterContainerInstance: 'With `force`, service tasks on the instance are not restarted elsewhere.',
  UpdateContainerInstancesState: 'DRAINING stops the service tasks together, not in batches by minimumHealthyPercent / maximumPercent.',
  CreateExpressGatewayService: 'The endpoint is http on localhost (no TLS, no load balancer); no Application Auto Scaling: minTaskCount tasks run.',
  UpdateExpressGatewayService: 'No canary traffic shifting: updates roll as a rolling deployment.',
  DescribeGatewayResources: 'KECS provisions no load balancers, so the list is empty.',
  CreateDaemon: 'Alarms are stored, not evaluated; `critical` does not drain a node.',
  UpdateDaemon: 'Alarms are stored, not evaluated.',
  SubmitTaskStateChange: 'Validated and acknowledged; Kubernetes stays the source of task state, so the report changes nothing.',
  SubmitContainerStateChange: 'Validated and acknowledged; the report changes nothing (Kubernetes is the source of state).',
  SubmitAttachmentStateChanges: 'Validated and acknowledged; the report changes nothing.',
}
