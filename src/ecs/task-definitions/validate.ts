import { NAME_PATTERN } from '../arns.js'
import { clientException } from '../errors.js'
import { isFargateSize, noFargateConfiguration } from './fargate.js'
import { parseTaskSize, type RegisterInput, type TaskSize } from './normalize.js'
import type { ContainerDef } from './task-definition-doc.js'

/**
 * RegisterTaskDefinition's service-side rules, with ECS's ClientException texts (docs/ecs-facts.md#task-definitions and
 * messages quoted from real ECS answers). The model validator has already checked types and enums.
 */
const MAX_CONTAINERS = 10

const messages = {
  familyInvalid: 'Family contains invalid characters.',
  noContainers: 'Container list cannot be empty.',
  tooManyContainers: 'Too many containers.',
  nameMissing: 'Container.name should not be null or empty.',
  nameInvalid: 'Container.name contains invalid characters.',
  imageMissing: 'Container.image should not be null or empty.',
  namesNotUnique: 'Container names must be unique within a Task Definition.',
  noEssential: "Task definition doesn't have any essential container.",
  dependsOnMissing: (name: string) => `Cannot depend on container + '${name}' because it does not exist`,
  dependsOnEssential: 'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
  reservationAboveLimit: (name: string) =>
    `Invalid setting for container '${name}'. 'memoryReservation' must be less than or equal to 'memory'.`,
  noContainerMemory: (name: string) =>
    `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
  awsvpcPorts: 'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
  awsvpcHostname: 'hostname is not supported on container when networkMode=awsvpc.',
  awslogsOptions: (missing: string[]) => `Log driver awslogs requires options: ${missing.join(', ')}`,
  externalAwsvpc: "Task definitions with networkMode 'awsvpc' are not supported by the EXTERNAL launch type.",
  fargateNetworkMode: 'Fargate only supports network mode \u2018awsvpc\u2019.',
  fargateCpu: "Fargate requires that 'cpu' be defined at the task level.",
  fargateMemory: "Fargate requires that 'memory' be defined at the task level.",
  fargatePidHost: "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
  fargateIpcMode: 'Tasks using the Fargate launch type do not support ipcMode.',
  cpuSum: "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
  containerMemoryAboveTask: (name: string) => `The 'memory' setting for container '${name}' is greater than for the task.`,
  reservationSum: "The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.",
}

const fail = (message: string): never => {
  throw clientException(message)
}

/** Checks a registration; returns the parsed task size. Throws ClientException on the first broken rule. */
export function validateRegistration(input: RegisterInput): TaskSize {
  if (!NAME_PATTERN.test(input.family ?? '')) fail(messages.familyInvalid)
  const containers = input.containerDefinitions ?? []
  if (containers.length === 0) fail(messages.noContainers)
  if (containers.length > MAX_CONTAINERS) fail(messages.tooManyContainers)

  validateContainers(containers, input.networkMode)
  const size = parseTaskSize(input)

  const required = input.requiresCompatibilities?.length ? input.requiresCompatibilities : ['EC2']
  for (const launchType of new Set(required)) {
    const problem = launchType === 'FARGATE' ? fargateProblem(input, size) : ec2Problem(input, size, launchType === 'EXTERNAL')
    if (problem) fail(problem)
  }
  validateTaskTotals(containers, size)
  return size
}

function validateContainers(containers: ContainerDef[], networkMode: string | undefined) {
  const names = new Set<string>()
  for (const c of containers) {
    if (!c.name) fail(messages.nameMissing)
    if (!NAME_PATTERN.test(c.name!)) fail(messages.nameInvalid)
    if (!c.image) fail(messages.imageMissing)
  }
  for (const c of containers) {
    if (names.has(c.name!)) fail(messages.namesNotUnique)
    names.add(c.name!)
  }
  if (!containers.some((c) => c.essential !== false)) fail(messages.noEssential)

  const byName = new Map(containers.map((c) => [c.name!, c]))
  for (const c of containers) {
    for (const d of c.dependsOn ?? []) {
      const target = byName.get(d.containerName ?? '')
      if (!target) return fail(messages.dependsOnMissing(d.containerName ?? ''))
      if ((d.condition === 'SUCCESS' || d.condition === 'COMPLETE') && target.essential !== false) {
        fail(messages.dependsOnEssential)
      }
    }
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
      fail(messages.reservationAboveLimit(c.name!))
    }
    if (networkMode === 'awsvpc') {
      for (const p of c.portMappings ?? []) {
        if (p.hostPort !== undefined && p.containerPort !== undefined && p.hostPort !== p.containerPort) fail(messages.awsvpcPorts)
      }
      if (c.hostname !== undefined) fail(messages.awsvpcHostname)
    }
    if (c.logConfiguration?.logDriver === 'awslogs') {
      const opts = c.logConfiguration.options ?? {}
      const missing = ['awslogs-region', 'awslogs-group'].filter((k) => !opts[k])
      if (missing.length > 0) fail(messages.awslogsOptions(missing))
    }
  }
}

/** Why the definition cannot run on EC2 (or EXTERNAL), or undefined when it can. */
function ec2Problem(input: RegisterInput, size: TaskSize, external = false): string | undefined {
  if (size.memory === undefined) {
    const c = (input.containerDefinitions ?? []).find((c) => c.memory === undefined && c.memoryReservation === undefined)
    if (c) return messages.noContainerMemory(c.name ?? '')
  }
  if (external && input.networkMode === 'awsvpc') return messages.externalAwsvpc
  return undefined
}

/** Why the definition cannot run on Fargate, or undefined when it can. */
export function fargateProblem(input: RegisterInput, size: TaskSize): string | undefined {
  if (input.networkMode !== 'awsvpc') return messages.fargateNetworkMode
  if (size.cpu === undefined) return messages.fargateCpu
  if (size.memory === undefined) return messages.fargateMemory
  if (!isFargateSize(size.cpu, size.memory)) return noFargateConfiguration(String(size.cpu), String(size.memory))
  if (input.pidMode === 'host') return messages.fargatePidHost
  if (input.ipcMode !== undefined) return messages.fargateIpcMode
  return undefined
}

/** ECS Anywhere runs neither awsvpc tasks nor EFS/FSx volumes. */
export function externalCompatible(input: RegisterInput, size: TaskSize): boolean {
  if (ec2Problem(input, size, true)) return false
  return !(input.volumes ?? []).some((v) => v.efsVolumeConfiguration || v.fsxWindowsFileServerVolumeConfiguration)
}

/** Task-level cpu/memory must cover what the containers ask for. */
function validateTaskTotals(containers: ContainerDef[], size: TaskSize) {
  if (size.cpu !== undefined) {
    const sum = containers.reduce((n, c) => n + (c.cpu ?? 0), 0)
    if (sum > size.cpu) fail(messages.cpuSum)
  }
  if (size.memory !== undefined) {
    for (const c of containers) {
      if (c.memory !== undefined && c.memory > size.memory) fail(messages.containerMemoryAboveTask(c.name!))
    }
    const reserved = containers.reduce((n, c) => n + (c.memoryReservation ?? c.memory ?? 0), 0)
    if (reserved > size.memory) fail(messages.reservationSum)
  }
}
