/**
 * The capability attributes an ECS agent on Linux registers (`com.amazonaws.ecs.capability.*` and
 * `ecs.capability.*`), as real DescribeContainerInstances outputs list them. They cover every
 * attribute a task definition's `requiresAttributes` can name for what KECS runs.
 */
const CAP = 'com.amazonaws.ecs.capability'

const DOCKER_API = ['1.17', '1.18', '1.19', '1.20', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.44']
const LOG_DRIVERS = ['json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'awsfirelens', 'none']

export const CAPABILITY_ATTRIBUTES: readonly string[] = [
  ...DOCKER_API.map((v) => `${CAP}.docker-remote-api.${v}`),
  ...LOG_DRIVERS.map((d) => `${CAP}.logging-driver.${d}`),
  `${CAP}.privileged-container`,
  `${CAP}.selinux`,
  `${CAP}.apparmor`,
  `${CAP}.ecr-auth`,
  `${CAP}.task-iam-role`,
  `${CAP}.task-iam-role-network-host`,
  `${CAP}.private-registry-authentication.secretsmanager`,
  'ecs.capability.execution-role-awslogs',
  'ecs.capability.execution-role-ecr-pull',
  'ecs.capability.task-eni',
  'ecs.capability.task-eni-block-instance-metadata',
  'ecs.capability.task-cpu-mem-limit',
  'ecs.capability.container-health-check',
  'ecs.capability.container-ordering',
  'ecs.capability.full-sync',
  'ecs.capability.pid-ipc-namespace-sharing',
  'ecs.capability.aws-appmesh',
  'ecs.capability.efs',
  'ecs.capability.efsAuth',
  'ecs.capability.env-files.s3',
  'ecs.capability.firelens.fluentd',
  'ecs.capability.firelens.fluentbit',
  'ecs.capability.firelens.options.config.file',
  'ecs.capability.firelens.options.config.s3',
  'ecs.capability.secrets.ssm.environment-variables',
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.secrets.ssm.bootstrap.log-driver',
  'ecs.capability.secrets.asm.bootstrap.log-driver',
  'ecs.capability.logging-driver.awsfirelens.log-driver-buffer-limit',
  'ecs.capability.increased-task-cpu-limit',
  'ecs.capability.docker-plugin.local',
  'ecs.capability.service-connect-v1',
  'ecs.capability.execute-command',
]

/** Attributes ECS sets itself: users may not put or delete them (not custom ones). */
export const isBuiltInAttribute = (name: string) => name.startsWith('ecs.') || name.startsWith('com.amazonaws.ecs.')
