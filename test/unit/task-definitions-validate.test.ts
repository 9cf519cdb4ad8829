import { describe, expect, it } from 'vitest'
import { EcsError } from '../../src/ecs/errors.js'
import type { RegisterInput } from '../../src/ecs/task-definitions/normalize.js'
import type { ContainerDef } from '../../src/ecs/task-definitions/task-definition-doc.js'
import { validateRegistration } from '../../src/ecs/task-definitions/validate.js'

const app: ContainerDef = { name: 'app', image: 'nginx', memory: 128 }
const ec2 = (over: Partial<RegisterInput> = {}): RegisterInput => ({ family: 'web', containerDefinitions: [app], ...over })
const fargate = (over: Partial<RegisterInput> = {}): RegisterInput => ({
  family: 'web',
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'app', image: 'nginx' }],
  ...over,
})

/** The ClientException message a registration fails with. */
function rejects(input: RegisterInput): string {
  try {
    validateRegistration(input)
  } catch (e) {
    expect(e).toBeInstanceOf(EcsError)
    expect((e as EcsError).type).toBe('ClientException')
    return (e as EcsError).message
  }
  throw new Error('expected the registration to be rejected')
}

describe('RegisterTaskDefinition validation (ECS messages)', () => {
  it('accepts a minimal EC2 definition and a minimal Fargate one', () => {
    expect(validateRegistration(ec2())).toEqual({ cpu: undefined, memory: undefined })
    expect(validateRegistration(fargate())).toEqual({ cpu: 256, memory: 512 })
  })

  it('family characters', () => {
    expect(rejects(ec2({ family: 'my.family' }))).toBe('Family contains invalid characters.')
  })

  it('family length above 255', () => {
    expect(rejects(ec2({ family: 'f'.repeat(256) }))).toBe('Family contains invalid characters.')
  })

  it('empty container list', () => {
    expect(rejects(ec2({ containerDefinitions: [] }))).toBe('Container list cannot be empty.')
  })

  it('at most 10 containers', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ ...app, name: `c${i}` }))
    expect(rejects(ec2({ containerDefinitions: many }))).toBe('Too many containers.')
    expect(() => validateRegistration(ec2({ containerDefinitions: many.slice(0, 10) }))).not.toThrow()
  })

  it('container name required', () => {
    expect(rejects(ec2({ containerDefinitions: [{ image: 'nginx', memory: 128 }] }))).toBe('Container.name should not be null or empty.')
  })

  it('container name characters', () => {
    expect(rejects(ec2({ containerDefinitions: [{ ...app, name: 'a b' }] }))).toBe('Container.name contains invalid characters.')
  })

  it('container image required', () => {
    expect(rejects(ec2({ containerDefinitions: [{ name: 'app', memory: 128 }] }))).toBe('Container.image should not be null or empty.')
  })

  it('container names unique', () => {
    expect(rejects(ec2({ containerDefinitions: [app, app] }))).toBe('Container names must be unique within a Task Definition.')
  })

  it('at least one essential container', () => {
    expect(rejects(ec2({ containerDefinitions: [{ ...app, essential: false }] }))).toBe(
      "Task definition doesn't have any essential container.",
    )
  })

  it('dependsOn must name a container of the definition', () => {
    const c = { ...app, dependsOn: [{ containerName: 'db', condition: 'START' as const }] }
    expect(rejects(ec2({ containerDefinitions: [c] }))).toBe("Cannot depend on container + 'db' because it does not exist")
  })

  it('a SUCCESS/COMPLETE dependency cannot be essential', () => {
    const init = { name: 'init', image: 'busybox', memory: 16 }
    const c = { ...app, dependsOn: [{ containerName: 'init', condition: 'SUCCESS' as const }] }
    expect(rejects(ec2({ containerDefinitions: [c, init] }))).toBe(
      'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
    )
    expect(() => validateRegistration(ec2({ containerDefinitions: [c, { ...init, essential: false }] }))).not.toThrow()
  })

  it('memoryReservation not above memory', () => {
    expect(rejects(ec2({ containerDefinitions: [{ ...app, memory: 128, memoryReservation: 256 }] }))).toBe(
      "Invalid setting for container 'app'. 'memoryReservation' must be less than or equal to 'memory'.",
    )
    expect(() => validateRegistration(ec2({ containerDefinitions: [{ ...app, memoryReservation: 128 }] }))).not.toThrow()
  })

  it('EC2: container memory or memoryReservation or task memory', () => {
    const bare = { name: 'app', image: 'nginx' }
    expect(rejects(ec2({ containerDefinitions: [bare] }))).toBe(
      "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
    )
    expect(() => validateRegistration(ec2({ containerDefinitions: [{ ...bare, memoryReservation: 64 }] }))).not.toThrow()
    expect(() => validateRegistration(ec2({ memory: '512', containerDefinitions: [bare] }))).not.toThrow()
  })

  it('task cpu must parse', () => {
    expect(rejects(ec2({ cpu: 'lots' }))).toBe("Invalid 'cpu' setting for task.")
  })

  it('task memory must parse', () => {
    expect(rejects(ec2({ memory: '1 TB' }))).toBe("Invalid 'memory' setting for task.")
  })

  it('awsvpc: host port equals container port', () => {
    const c = { ...app, portMappings: [{ containerPort: 80, hostPort: 8080 }] }
    expect(rejects(ec2({ networkMode: 'awsvpc', containerDefinitions: [c] }))).toBe(
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
    )
  })

  it('awsvpc: no container hostname', () => {
    expect(rejects(ec2({ networkMode: 'awsvpc', containerDefinitions: [{ ...app, hostname: 'h' }] }))).toBe(
      'hostname is not supported on container when networkMode=awsvpc.',
    )
  })

  it('awslogs needs its region and group options', () => {
    const c = { ...app, logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': 'g' } } }
    expect(rejects(ec2({ containerDefinitions: [c] }))).toBe('Log driver awslogs requires options: awslogs-region')
  })

  it('Fargate: network mode awsvpc', () => {
    expect(rejects(fargate({ networkMode: 'bridge' }))).toBe('Fargate only supports network mode \u2018awsvpc\u2019.')
    expect(rejects(fargate({ networkMode: undefined }))).toBe('Fargate only supports network mode \u2018awsvpc\u2019.')
  })

  it('Fargate: task cpu required', () => {
    expect(rejects(fargate({ cpu: undefined }))).toBe("Fargate requires that 'cpu' be defined at the task level.")
  })

  it('Fargate: task memory required', () => {
    expect(rejects(fargate({ memory: undefined }))).toBe("Fargate requires that 'memory' be defined at the task level.")
  })

  it('Fargate: a valid cpu/memory pair', () => {
    expect(rejects(fargate({ cpu: '1024', memory: '1024' }))).toBe(
      'No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values.',
    )
  })

  it('Fargate: vCPU and GB forms are normalised before the pair check', () => {
    expect(validateRegistration(fargate({ cpu: '1 vCPU', memory: '2 GB' }))).toEqual({ cpu: 1024, memory: 2048 })
    expect(rejects(fargate({ cpu: '0.5 vCPU', memory: '5GB' }))).toContain('512 CPU, 5120 memory')
  })

  it('Fargate: no pidMode host', () => {
    expect(rejects(fargate({ pidMode: 'host' }))).toBe(
      "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
    )
    expect(() => validateRegistration(fargate({ pidMode: 'task' }))).not.toThrow()
  })

  it('Fargate: no ipcMode', () => {
    expect(rejects(fargate({ ipcMode: 'host' }))).toBe('Tasks using the Fargate launch type do not support ipcMode.')
  })

  it('Fargate rules apply only when FARGATE is required', () => {
    expect(() => validateRegistration(ec2({ cpu: '1024', memory: '1024' }))).not.toThrow()
  })

  it('EXTERNAL: no awsvpc', () => {
    expect(rejects(ec2({ requiresCompatibilities: ['EXTERNAL'], networkMode: 'awsvpc' }))).toBe(
      "Task definitions with networkMode 'awsvpc' are not supported by the EXTERNAL launch type.",
    )
  })

  it('task cpu not below the sum of container cpu', () => {
    const cs = [
      { name: 'a', image: 'x', cpu: 200 },
      { name: 'b', image: 'x', cpu: 100 },
    ]
    expect(rejects(fargate({ containerDefinitions: cs }))).toBe(
      "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
    )
  })

  it('task memory not below a container memory', () => {
    expect(rejects(fargate({ containerDefinitions: [{ name: 'app', image: 'x', memory: 1024 }] }))).toBe(
      "The 'memory' setting for container 'app' is greater than for the task.",
    )
  })

  it('task memory not below the sum of reservations', () => {
    const cs = [
      { name: 'a', image: 'x', memoryReservation: 300 },
      { name: 'b', image: 'x', memory: 300 },
    ]
    expect(rejects(fargate({ containerDefinitions: cs }))).toBe(
      "The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.",
    )
  })
})
