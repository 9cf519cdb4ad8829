import type { Cluster, Service, Task } from '@aws-sdk/client-ecs'
import { describe, expect, it } from 'vitest'
import { clustersTable, servicesTable, stopSummary, summarizeFamilies, taskDefinitionsTable, tasksTable } from '../../src/cli/listings.js'
import { age, arnName, displayTaskId, table, taskDefinitionName } from '../../src/cli/table.js'

describe('table', () => {
  it('pads columns to the widest cell, upper-cases headers, right-aligns numbers, trims line ends', () => {
    const rows = [
      { name: 'web', count: 3, note: 'x' },
      { name: 'worker-long', count: 12, note: '' },
    ]
    const lines = table(rows, [
      { header: 'name', value: (r) => r.name },
      { header: 'count', value: (r) => r.count, align: 'right' },
      { header: 'note', value: (r) => r.note },
    ])
    expect(lines).toEqual([
      'NAME          COUNT   NOTE',
      'web               3   x',
      'worker-long      12   -',
    ])
  })

  it('keeps a row on one line and shows - for missing values', () => {
    const lines = table([{ a: 'two\nlines\tand tab', b: undefined }], [
      { header: 'a', value: (r) => r.a },
      { header: 'b', value: (r) => r.b },
    ])
    expect(lines[1]).toBe('two lines and tab   -')
  })

  it('prints only the header for no rows', () => {
    expect(table([], [{ header: 'name', value: () => 'x' }])).toEqual(['NAME'])
  })
})

describe('age and names', () => {
  const now = Date.parse('2024-05-01T12:00:00Z')
  it('says how long ago, kubectl style', () => {
    expect(age(new Date(now - 42_000), now)).toBe('42s')
    expect(age(new Date(now - 5 * 60_000 - 10_000), now)).toBe('5m')
    expect(age('2024-05-01T09:00:00Z', now)).toBe('3h')
    expect(age(now - 12 * 86_400_000, now)).toBe('12d')
    expect(age(undefined, now)).toBe('-')
    expect(age('not a time', now)).toBe('-')
    expect(age(new Date(now + 5000), now)).toBe('0s')
  })

  it('shows ECS task ids by their first 8 digits, other ids whole', () => {
    expect(displayTaskId('0123456789abcdef0123456789abcdef')).toBe('01234567')
    expect(displayTaskId('web-6c5fcfccb-snwfk')).toBe('web-6c5fcfccb-snwfk')
  })

  it('shortens ARNs', () => {
    expect(taskDefinitionName('arn:aws:ecs:us-east-1:000000000000:task-definition/web:3')).toBe('web:3')
    expect(taskDefinitionName('web:3')).toBe('web:3')
    expect(arnName('arn:aws:ecs:us-east-1:000000000000:task/default/abc')).toBe('abc')
  })
})

describe('listing tables', () => {
  const now = Date.parse('2024-05-01T12:00:00Z')
  it('clusters: counts per cluster, and a clear line when there are none', () => {
    const c: Cluster = { clusterName: 'default', status: 'ACTIVE', activeServicesCount: 2, runningTasksCount: 5, pendingTasksCount: 1, registeredContainerInstancesCount: 1 }
    expect(clustersTable([c])).toEqual([
      'NAME      STATUS   SERVICES   RUNNING   PENDING   INSTANCES',
      'default   ACTIVE          2         5         1           1',
    ])
    expect(clustersTable([])[0]).toMatch(/^No clusters\./)
  })

  it('services: counts, task definition, PRIMARY rollout state, age', () => {
    const s: Service = {
      serviceName: 'web',
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 1,
      pendingCount: 1,
      taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:7',
      createdAt: new Date(now - 120_000),
      deployments: [
        { id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
        { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'COMPLETED' },
      ],
    }
    expect(servicesTable([s], 'default', now)).toEqual([
      'NAME   STATUS   DESIRED   RUNNING   PENDING   TASK DEFINITION   ROLLOUT       AGE',
      'web    ACTIVE         2         1         1   web:7             IN_PROGRESS   2m',
    ])
    expect(servicesTable([], 'prod')).toEqual(['No services in cluster prod.'])
  })

  it('tasks: short id, definition, statuses, why a stopped task stopped', () => {
    const t: Task = {
      taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/job:1',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      group: 'family:job',
      launchType: 'EC2',
      createdAt: new Date(now - 30_000),
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'app', exitCode: 3 }, { name: 'log' }],
    }
    const lines = tasksTable([t], { cluster: 'default' }, now)
    expect(lines[0]).toBe('ID         TASK DEFINITION   LAST STATUS   DESIRED   GROUP        LAUNCH   AGE   STOPPED')
    expect(lines[1]).toBe('01234567   job:1             STOPPED       STOPPED   family:job   EC2      30s   EssentialContainerExited (app exit 3)')
    expect(tasksTable([], { cluster: 'ci', status: 'RUNNING', service: 'web' })).toEqual(['No running tasks in cluster ci for service web.'])
    expect(tasksTable([], { cluster: 'ci', status: 'ALL' })).toEqual(['No tasks in cluster ci.'])
  })

  it('stopSummary: nothing for a running task, the pull error for one that failed to start', () => {
    expect(stopSummary({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })).toBeUndefined()
    expect(
      stopSummary({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: not found', containers: [{ name: 'app' }] }),
    ).toBe('CannotPullContainerError: not found')
  })

  it('task definitions: one row per family with its latest ACTIVE revision', () => {
    const arn = (f: string, r: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/${f}:${r}`
    const families = summarizeFamilies([arn('web', 1), arn('web', 3), arn('api', 2), arn('web', 2), 'garbage'])
    expect(families).toEqual([
      { family: 'api', latestRevision: 2, taskDefinitionArn: arn('api', 2), activeRevisions: 1 },
      { family: 'web', latestRevision: 3, taskDefinitionArn: arn('web', 3), activeRevisions: 3 },
    ])
    const lines = taskDefinitionsTable(families)
    expect(lines[0]).toBe('FAMILY   LATEST   ACTIVE REVISIONS   ARN')
    expect(lines[2]).toBe(`web           3                  3   ${arn('web', 3)}`)
    expect(taskDefinitionsTable([])[0]).toMatch(/^No task definitions\./)
  })
})
