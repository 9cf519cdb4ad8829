import { createHash } from 'node:crypto'

/**
 * The AWS managed policies ECS stacks attach, so that attaching `arn:aws:iam::aws:policy/...` works
 * and GetPolicy/GetPolicyVersion answer. Documents are short versions of AWS's (the actions that
 * matter to ECS), valid policy JSON; real ones are larger and have more versions. Ids are stable
 * (derived from the name) but not AWS's own.
 */
export interface AwsManagedPolicy {
  PolicyName: string
  Path: string
  Arn: string
  PolicyId: string
  Description: string
  Document: string
  /** Epoch seconds. */
  CreateDate: number
}

const allow = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource })
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement })

const TABLE: [path: string, name: string, description: string, document: string][] = [
  ['/service-role/', 'AmazonECSTaskExecutionRolePolicy', 'Provides access to other AWS service resources that are required to run Amazon ECS tasks',
    doc(allow(['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents']))],
  ['/service-role/', 'AmazonEC2ContainerServiceforEC2Role', 'Default policy for the Amazon EC2 Role for Amazon EC2 Container Service.',
    doc(allow(['ec2:DescribeTags', 'ecs:CreateCluster', 'ecs:DeregisterContainerInstance', 'ecs:DiscoverPollEndpoint', 'ecs:Poll', 'ecs:RegisterContainerInstance', 'ecs:StartTelemetrySession', 'ecs:UpdateContainerInstancesState', 'ecs:Submit*', 'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents']), allow('ecs:TagResource', '*'))],
  ['/service-role/', 'AmazonEC2ContainerServiceRole', 'Default policy for Amazon ECS service role.',
    doc(allow(['ec2:AuthorizeSecurityGroupIngress', 'ec2:Describe*', 'elasticloadbalancing:DeregisterInstancesFromLoadBalancer', 'elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:Describe*', 'elasticloadbalancing:RegisterInstancesWithLoadBalancer', 'elasticloadbalancing:RegisterTargets']))],
  ['/service-role/', 'AmazonEC2ContainerServiceAutoscaleRole', 'Policy to enable Task Autoscaling for Amazon EC2 Container Service',
    doc(allow(['ecs:DescribeServices', 'ecs:UpdateService', 'cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm']))],
  ['/service-role/', 'AmazonECSInfrastructureRolePolicyForVolumes', 'Provides access to other AWS service resources required to manage volumes associated with ECS workloads.',
    doc(allow(['ec2:CreateVolume', 'ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume', 'ec2:DescribeVolumes', 'ec2:CreateTags']))],
  ['/aws-service-role/', 'AmazonECSServiceRolePolicy', 'Policy to enable Amazon ECS to manage your cluster.',
    doc(allow(['ec2:AttachNetworkInterface', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:Describe*', 'elasticloadbalancing:Describe*', 'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets', 'servicediscovery:RegisterInstance', 'servicediscovery:DeregisterInstance', 'logs:CreateLogGroup', 'logs:PutLogEvents']))],
  ['/aws-service-role/', 'AWSElasticLoadBalancingServiceRolePolicy', 'Service Linked Role Policy for AWS Elastic Load Balancing Control Plane',
    doc(allow(['ec2:Describe*', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute', 'logs:CreateLogDelivery']))],
  ['/aws-service-role/', 'AWSApplicationAutoscalingECSServicePolicy', 'Policy granting permissions to Application Auto Scaling to access ECS services',
    doc(allow(['ecs:DescribeServices', 'ecs:UpdateService', 'cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms']))],
  ['/aws-service-role/', 'AutoScalingServiceRolePolicy', 'Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling',
    doc(allow(['ec2:*', 'elasticloadbalancing:*', 'cloudwatch:*', 'sns:Publish']))],
  ['/', 'AmazonSSMReadOnlyAccess', 'Provides read only access to Amazon SSM.',
    doc(allow(['ssm:Describe*', 'ssm:Get*', 'ssm:List*']))],
  ['/', 'AmazonSSMManagedInstanceCore', 'The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.',
    doc(allow(['ssm:DescribeAssociation', 'ssm:GetDocument', 'ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel', 'ec2messages:*']))],
  ['/', 'SecretsManagerReadWrite', 'Provides read/write access to AWS Secrets Manager via the AWS Management Console.',
    doc(allow(['secretsmanager:*', 'kms:DescribeKey', 'kms:ListAliases', 'kms:ListKeys']))],
  ['/', 'CloudWatchLogsFullAccess', 'Provides full access to CloudWatch Logs',
    doc(allow(['logs:*']))],
  ['/', 'CloudWatchAgentServerPolicy', 'Permissions required to use AmazonCloudWatchAgent on servers',
    doc(allow(['cloudwatch:PutMetricData', 'ec2:DescribeVolumes', 'ec2:DescribeTags', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:DescribeLogGroups', 'logs:CreateLogStream', 'logs:CreateLogGroup']))],
  ['/', 'AmazonECS_FullAccess', 'Provides administrative access to Amazon ECS resources and enables ECS features through access to other AWS service resources.',
    doc(allow(['ecs:*', 'elasticloadbalancing:*', 'application-autoscaling:*', 'servicediscovery:*', 'logs:*', 'ec2:Describe*', 'iam:ListRoles', 'iam:ListInstanceProfiles']), allow('iam:PassRole', '*'))],
  ['/', 'AmazonEC2ContainerRegistryReadOnly', 'Provides read-only access to Amazon EC2 Container Registry repositories.',
    doc(allow(['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy', 'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage']))],
  ['/', 'ElasticLoadBalancingFullAccess', 'Provides full access to Amazon ElasticLoadBalancing, and limited access to other services necessary to provide ElasticLoadBalancing features.',
    doc(allow(['elasticloadbalancing:*', 'ec2:Describe*', 'cloudwatch:DescribeAlarms', 'cognito-idp:DescribeUserPoolClient']))],
  ['/', 'AdministratorAccess', 'Provides full access to AWS services and resources.',
    doc(allow('*'))],
  ['/', 'ReadOnlyAccess', 'Provides read-only access to AWS services and resources.',
    doc(allow(['ecs:Describe*', 'ecs:List*', 'ec2:Describe*', 'iam:Get*', 'iam:List*', 'logs:Describe*', 'logs:Get*', 'ssm:Get*', 'ssm:Describe*', 'elasticloadbalancing:Describe*', 's3:Get*', 's3:List*']))],
]

/** A stable 21-character ANPA id from the policy name. */
const stableId = (name: string) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const h = createHash('sha256').update(`aws-managed/${name}`).digest()
  let out = 'ANPA'
  for (let i = 0; i < 17; i++) out += alphabet[h[i]! % 32]
  return out
}

// 2015-04-09, when most of these first appeared; stands in for AWS's dates.
const CREATED = Date.UTC(2015, 3, 9) / 1000

export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = new Map(
  TABLE.map(([Path, PolicyName, Description, Document]) => {
    const Arn = `arn:aws:iam::aws:policy${Path}${PolicyName}`
    return [Arn, { PolicyName, Path, Arn, PolicyId: stableId(PolicyName), Description, Document, CreateDate: CREATED }]
  }),
)
