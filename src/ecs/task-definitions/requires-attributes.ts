import type { Attribute } from '@aws-sdk/client-ecs'
import type { Wire } from '../types.js'
import type { RegisterInput } from './normalize.js'
import type { ContainerDef } from './task-definition-doc.js'

/**
 * The container-instance attributes a definition needs, derived from the fields it uses, as ECS lists
 * them in `requiresAttributes` (placement on EC2 matches them against agent capabilities).
 */
const CAP = 'com.amazonaws.ecs.capability'
const api = (v: string) => `${CAP}.docker-remote-api.${v}`

const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//

export function requiresAttributes(td: RegisterInput & { containerDefinitions: ContainerDef[] }): Wire<Attribute>[] {
  const names = new Set<string>()
  const extra: Wire<Attribute>[] = []
  const add = (n: string) => names.add(n)

  for (const c of td.containerDefinitions) {
    const log = c.logConfiguration
    if (log?.logDriver) {
      add(`${CAP}.logging-driver.${log.logDriver}`)
      if (log.logDriver === 'awslogs') {
        if (td.executionRoleArn) add('ecs.capability.execution-role-awslogs')
        add(api('1.19'))
      }
      add(api('1.18'))
      for (const s of log.secretOptions ?? []) add(`ecs.capability.secrets.${secretStore(s.valueFrom)}.bootstrap.log-driver`)
    }
    if (c.image && ECR_IMAGE.test(c.image)) {
      add(`${CAP}.ecr-auth`)
      if (td.executionRoleArn) add('ecs.capability.execution-role-ecr-pull')
    }
    if (c.repositoryCredentials) add(`${CAP}.private-registry-authentication.secretsmanager`)
    if (c.memoryReservation !== undefined) add(api('1.21'))
    if (c.dockerLabels && Object.keys(c.dockerLabels).length > 0) add(api('1.18'))
    if (c.ulimits && c.ulimits.length > 0) add(api('1.18'))
    if (c.healthCheck) {
      add('ecs.capability.container-health-check')
      add(api('1.24'))
    }
    if (c.linuxParameters?.initProcessEnabled) add(api('1.25'))
    if (c.dependsOn && c.dependsOn.length > 0) add('ecs.capability.container-ordering')
    for (const s of c.secrets ?? []) add(`ecs.capability.secrets.${secretStore(s.valueFrom)}.environment-variables`)
    if (c.environmentFiles && c.environmentFiles.length > 0) add('ecs.capability.env-files.s3')
    if (c.firelensConfiguration?.type) add(`ecs.capability.firelens.${c.firelensConfiguration.type}`)
  }

  if (td.taskRoleArn) {
    add(`${CAP}.task-iam-role`)
    if (td.networkMode === 'host') add(`${CAP}.task-iam-role-network-host`)
  }
  for (const v of td.volumes ?? []) {
    if (v.dockerVolumeConfiguration) add(api('1.25'))
    if (v.efsVolumeConfiguration) {
      add('ecs.capability.efs')
      const e = v.efsVolumeConfiguration
      if (e.transitEncryption === 'ENABLED' || e.authorizationConfig) add('ecs.capability.efsAuth')
    }
  }
  if (td.networkMode === 'awsvpc') {
    add(api('1.18'))
    add('ecs.capability.task-eni')
  } else if (td.networkMode === 'host' || td.networkMode === 'none') {
    add(api('1.18'))
  }
  if (td.runtimePlatform?.cpuArchitecture === 'ARM64') extra.push({ name: 'ecs.cpu-architecture', value: 'arm64' })

  return [...[...names].map((name) => ({ name })), ...extra]
}

/** `ssm` for Parameter Store names/ARNs, `asm` for Secrets Manager ARNs. */
function secretStore(valueFrom: string | undefined): 'ssm' | 'asm' {
  return valueFrom?.startsWith('arn:') && valueFrom.split(':')[2] === 'secretsmanager' ? 'asm' : 'ssm'
}
