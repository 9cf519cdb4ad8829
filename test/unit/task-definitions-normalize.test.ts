import { describe, expect, it } from 'vitest'
import { EcsError } from '../../src/ecs/errors.js'
import { FARGATE_SIZES, isFargateSize } from '../../src/ecs/task-definitions/fargate.js'
import {
  buildTaskDefinition,
  computeCompatibilities,
  normalizeContainer,
  parseTaskCpu,
  parseTaskMemory,
  type RegisterInput,
} from '../../src/ecs/task-definitions/normalize.js'
import { requiresAttributes } from '../../src/ecs/task-definitions/requires-attributes.js'
import { parseTaskDefinitionRef } from '../../src/ecs/task-definitions/resolve.js'
import { externalCompatible, fargateProblem, validateRegistration } from '../../src/ecs/task-definitions/validate.js'

const scope = { account: '000000000000', region: 'us-east-1' }

/** Registers the way the handler does, minus the store. */
function register(input: RegisterInput) {
  const size = validateRegistration(input)
  const compatibilities = computeCompatibilities(input, {
    externalOk: externalCompatible(input, size),
    fargateOk: fargateProblem(input, size) === undefined,
  })
  return buildTaskDefinition(input, size, {
    arn: `arn:aws:ecs:us-east-1:000000000000:task-definition/${input.family}:1`,
    revision: 1,
    registeredAt: 1700000000.5,
    registeredBy: 'arn:aws:iam::000000000000:root',
    compatibilities,
  })
}

const names = (input: RegisterInput) => requiresAttributes({ ...input, containerDefinitions: input.containerDefinitions ?? [] }).map((a) => a.name)

describe('task cpu/memory normalisation', () => {
  it('turns vCPU and GB forms into units and MiB', () => {
    expect(parseTaskCpu('1024')).toBe(1024)
    expect(parseTaskCpu('1 vCPU')).toBe(1024)
    expect(parseTaskCpu('1 vcpu')).toBe(1024)
    expect(parseTaskCpu('.25 vCPU')).toBe(256)
    expect(parseTaskCpu('0.5 vCPU')).toBe(512)
    expect(parseTaskMemory('1 GB')).toBe(1024)
    expect(parseTaskMemory('1GB')).toBe(1024)
    expect(parseTaskMemory('0.5 GB')).toBe(512)
    expect(parseTaskMemory('3072')).toBe(3072)
  })

  it('rejects what ECS rejects', () => {
    for (const bad of ['', 'x', '-1', '1.5', '64', '2 GB']) expect(() => parseTaskCpu(bad), bad).toThrow(EcsError)
    for (const bad of ['', 'x', '0', '1.5', '1 TB']) expect(() => parseTaskMemory(bad), bad).toThrow(EcsError)
  })

  it('stores cpu/memory as normalised strings', () => {
    const td = register({
      family: 'f',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '2 vCPU',
      memory: '4 GB',
      containerDefinitions: [{ name: 'a', image: 'x' }],
    })
    expect(td.cpu).toBe('2048')
    expect(td.memory).toBe('4096')
  })
})

describe('Fargate sizes', () => {
  it('holds the documented pairs', () => {
    expect(FARGATE_SIZES.get(256)).toEqual([512, 1024, 2048])
    expect(FARGATE_SIZES.get(512)).toEqual([1024, 2048, 3072, 4096])
    expect(FARGATE_SIZES.get(1024)).toHaveLength(7)
    expect(FARGATE_SIZES.get(2048)).toHaveLength(13)
    expect(FARGATE_SIZES.get(4096)).toHaveLength(23)
    expect(isFargateSize(8192, 20 * 1024)).toBe(true)
    expect(isFargateSize(8192, 18 * 1024)).toBe(false)
    expect(isFargateSize(16384, 40 * 1024)).toBe(true)
    expect(isFargateSize(16384, 36 * 1024)).toBe(false)
    expect(isFargateSize(128, 512)).toBe(false)
  })
})

describe('container defaults', () => {
  it('fills what ECS fills and keeps every field given', () => {
    const c = normalizeContainer({ name: 'a', image: 'x', command: ['sh'], user: 'nobody' }, undefined)
    expect(c).toEqual({
      name: 'a',
      image: 'x',
      command: ['sh'],
      user: 'nobody',
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      portMappings: [],
      volumesFrom: [],
    })
  })

  it('keeps explicit values', () => {
    const c = normalizeContainer({ name: 'a', image: 'x', cpu: 10, essential: false, environment: [{ name: 'K', value: 'V' }] }, undefined)
    expect(c).toMatchObject({ cpu: 10, essential: false, environment: [{ name: 'K', value: 'V' }] })
  })

  it('port mappings: tcp by default; awsvpc/host use the container port, bridge a dynamic 0', () => {
    const pm = [{ containerPort: 80 }, { containerPort: 53, protocol: 'udp' as const }]
    expect(normalizeContainer({ name: 'a', image: 'x', portMappings: pm }, 'awsvpc').portMappings).toEqual([
      { containerPort: 80, hostPort: 80, protocol: 'tcp' },
      { containerPort: 53, hostPort: 53, protocol: 'udp' },
    ])
    expect(normalizeContainer({ name: 'a', image: 'x', portMappings: pm }, 'host').portMappings![0]!.hostPort).toBe(80)
    expect(normalizeContainer({ name: 'a', image: 'x', portMappings: pm }, undefined).portMappings![0]!.hostPort).toBe(0)
    expect(normalizeContainer({ name: 'a', image: 'x', portMappings: [{ containerPort: 80, hostPort: 8080 }] }, 'bridge').portMappings![0]!.hostPort).toBe(8080)
  })

  it('health checks get interval 30, timeout 5, retries 3', () => {
    const c = normalizeContainer({ name: 'a', image: 'x', healthCheck: { command: ['CMD', 'true'], retries: 5 } }, undefined)
    expect(c.healthCheck).toEqual({ command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 5 })
  })
})

describe('task definition shape', () => {
  it('adds what ECS adds and leaves out what was not sent', () => {
    const td = register({ family: 'web', containerDefinitions: [{ name: 'a', image: 'x', memory: 64 }] })
    expect(td).toMatchObject({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
      family: 'web',
      revision: 1,
      status: 'ACTIVE',
      volumes: [],
      placementConstraints: [],
      compatibilities: ['EXTERNAL', 'EC2'],
      requiresAttributes: [],
      registeredAt: 1700000000.5,
      registeredBy: 'arn:aws:iam::000000000000:root',
    })
    for (const absent of ['networkMode', 'requiresCompatibilities', 'cpu', 'memory', 'taskRoleArn', 'pidMode']) {
      expect(td, absent).not.toHaveProperty(absent)
    }
  })

  it('keeps every request member as given', () => {
    const input: RegisterInput = {
      family: 'full',
      taskRoleArn: 'arn:aws:iam::000000000000:role/t',
      executionRoleArn: 'arn:aws:iam::000000000000:role/e',
      networkMode: 'awsvpc',
      containerDefinitions: [{ name: 'a', image: 'x', memory: 64 }],
      volumes: [{ name: 'v', host: { sourcePath: '/data' } }],
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
      requiresCompatibilities: ['EC2'],
      cpu: '512',
      memory: '1024',
      pidMode: 'task',
      ipcMode: 'none',
      proxyConfiguration: { type: 'APPMESH', containerName: 'a', properties: [{ name: 'IgnoredUID', value: '1337' }] },
      ephemeralStorage: { sizeInGiB: 30 },
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      enableFaultInjection: false,
    }
    const td = register(input)
    const { containerDefinitions, tags, ...rest } = input
    expect(td).toMatchObject(rest)
  })
})

describe('compatibilities', () => {
  const c = [{ name: 'a', image: 'x', memory: 64 }]
  it('bridge/host/none definitions: EXTERNAL and EC2', () => {
    expect(register({ family: 'f', containerDefinitions: c }).compatibilities).toEqual(['EXTERNAL', 'EC2'])
    expect(register({ family: 'f', networkMode: 'host', containerDefinitions: c }).compatibilities).toEqual(['EXTERNAL', 'EC2'])
    expect(register({ family: 'f', requiresCompatibilities: ['EXTERNAL'], containerDefinitions: c }).compatibilities).toEqual([
      'EXTERNAL',
      'EC2',
    ])
  })

  it('awsvpc without a Fargate size: EC2 only', () => {
    expect(register({ family: 'f', networkMode: 'awsvpc', containerDefinitions: c }).compatibilities).toEqual(['EC2'])
  })

  it('awsvpc with a Fargate size: EC2 and FARGATE, required or not', () => {
    const td = { family: 'f', networkMode: 'awsvpc' as const, cpu: '256', memory: '512', containerDefinitions: c }
    expect(register(td).compatibilities).toEqual(['EC2', 'FARGATE'])
    expect(register({ ...td, requiresCompatibilities: ['FARGATE'] }).compatibilities).toEqual(['EC2', 'FARGATE'])
  })

  it('EFS volumes rule out EXTERNAL', () => {
    const td = register({ family: 'f', containerDefinitions: c, volumes: [{ name: 'v', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] })
    expect(td.compatibilities).toEqual(['EC2'])
  })
})

describe('requiresAttributes', () => {
  const base = { family: 'f', containerDefinitions: [{ name: 'a', image: 'x', memory: 64 }] }

  it('awsvpc: task ENI and remote API 1.18', () => {
    expect(names({ ...base, networkMode: 'awsvpc' })).toEqual([
      'com.amazonaws.ecs.capability.docker-remote-api.1.18',
      'ecs.capability.task-eni',
    ])
  })

  it('awslogs with an execution role', () => {
    const c = { name: 'a', image: 'x', logConfiguration: { logDriver: 'awslogs' as const, options: {} } }
    expect(names({ family: 'f', executionRoleArn: 'arn:aws:iam::1:role/e', containerDefinitions: [c] })).toEqual([
      'com.amazonaws.ecs.capability.logging-driver.awslogs',
      'ecs.capability.execution-role-awslogs',
      'com.amazonaws.ecs.capability.docker-remote-api.1.19',
      'com.amazonaws.ecs.capability.docker-remote-api.1.18',
    ])
  })

  it('task role, health check, dependsOn, secrets, memoryReservation, ECR images', () => {
    const cs = [
      {
        name: 'a',
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1',
        memoryReservation: 64,
        healthCheck: { command: ['CMD', 'true'] },
        dependsOn: [{ containerName: 'b', condition: 'START' as const }],
        secrets: [
          { name: 'A', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:s' },
          { name: 'B', valueFrom: '/param/name' },
        ],
      },
      { name: 'b', image: 'x', memory: 64 },
    ]
    const n = names({ family: 'f', taskRoleArn: 'arn:aws:iam::1:role/t', containerDefinitions: cs })
    expect(n).toEqual(
      expect.arrayContaining([
        'com.amazonaws.ecs.capability.task-iam-role',
        'ecs.capability.container-health-check',
        'com.amazonaws.ecs.capability.docker-remote-api.1.24',
        'ecs.capability.container-ordering',
        'ecs.capability.secrets.asm.environment-variables',
        'ecs.capability.secrets.ssm.environment-variables',
        'com.amazonaws.ecs.capability.docker-remote-api.1.21',
        'com.amazonaws.ecs.capability.ecr-auth',
      ]),
    )
    expect(n).not.toContain('ecs.capability.execution-role-ecr-pull')
    expect(new Set(n).size).toBe(n.length)
  })

  it('a plain bridge definition needs nothing', () => {
    expect(names(base)).toEqual([])
  })
})

describe('task definition references', () => {
  it('parses family, family:revision and ARNs of this scope', () => {
    expect(parseTaskDefinitionRef(scope, 'web')).toEqual({ family: 'web' })
    expect(parseTaskDefinitionRef(scope, 'web:3')).toEqual({ family: 'web', revision: 3 })
    expect(parseTaskDefinitionRef(scope, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3')).toEqual({ family: 'web', revision: 3 })
    expect(parseTaskDefinitionRef(scope, 'web:latest')).toEqual({ family: 'web', badRevision: 'latest' })
    expect(parseTaskDefinitionRef(scope, 'web:0')).toEqual({ family: 'web', badRevision: '0' })
  })

  it('refuses other scopes, resource types and bad families', () => {
    expect(parseTaskDefinitionRef(scope, 'arn:aws:ecs:eu-west-1:000000000000:task-definition/web:3')).toBeUndefined()
    expect(parseTaskDefinitionRef(scope, 'arn:aws:ecs:us-east-1:000000000000:cluster/web')).toBeUndefined()
    expect(parseTaskDefinitionRef(scope, 'we b:1')).toBeUndefined()
    expect(parseTaskDefinitionRef(scope, '')).toBeUndefined()
  })
})
