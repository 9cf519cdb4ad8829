import { awslogsStoppedReason, awslogsTarget, AwsLogsWriter, checkAwsLogsGroup, type AwsLogsTarget } from '../aws/logs/awslogs-sink.js'
import type { LogsState } from '../aws/logs/state.js'
import { parseTaskDefinitionArn } from '../ecs/arns.js'
import type { Repos } from '../ecs/repos.js'
import { daemonTaskDefinitionKey } from '../ecs/daemons/task-definitions.js'
import { taskDefinitionKey } from '../ecs/task-definitions/family-index.js'
import type { ContainerDef, TaskDefinitionDoc } from '../ecs/task-definitions/task-definition-doc.js'
import { containerRuntimeId } from '../ecs/tasks/container-ids.js'
import type { LogLine, TaskLogSink } from '../ecs/tasks/log-sink.js'
import type { StopReason } from '../ecs/tasks/stopping.js'
import type { TaskDoc } from '../ecs/tasks/task-doc.js'

/**
 * The awslogs log driver, wired between ECS (tasks, their task definitions) and CloudWatch Logs:
 * the launch check (a missing group stops the task) and the sink TaskLogs hands container lines to.
 */
const scopeOfTask = (task: TaskDoc) => {
  const m = /^arn:[^:]+:ecs:([^:]*):(\d{12}):/.exec(task.taskArn)
  return m ? { region: m[1]!, account: m[2]! } : undefined
}

const awslogsOptions = (def: ContainerDef | undefined) =>
  def?.logConfiguration?.logDriver === 'awslogs' ? ((def.logConfiguration.options ?? {}) as Record<string, string>) : undefined

type TdRepos = Pick<Repos, 'taskDefinitions'> & Partial<Pick<Repos, 'daemonTaskDefinitions'>>

/** The container definitions of a task's (or a daemon task's) task definition. */
function containerDefsOf(repos: TdRepos, task: TaskDoc): ContainerDef[] | undefined {
  const arn = task.taskDefinitionArn ?? ''
  const p = parseTaskDefinitionArn(arn)
  if (p) return repos.taskDefinitions.get(taskDefinitionKey(p, p.family, p.revision))?.containerDefinitions
  const d = /^arn:[^:]+:ecs:([^:]*):(\d{12}):daemon-task-definition\/(.+):(\d+)$/.exec(arn)
  if (!d || !repos.daemonTaskDefinitions) return undefined
  const doc = repos.daemonTaskDefinitions.get(daemonTaskDefinitionKey({ region: d[1]!, account: d[2]! }, d[3]!, Number(d[4])))
  return doc?.containerDefinitions as ContainerDef[] | undefined
}

/**
 * Before a task's pod is made: every awslogs container's group exists (or is created with
 * awslogs-create-group "true"); else the task stops as ECS stops it, with the driver's error.
 */
export function awslogsLaunchCheck(state: LogsState, now: () => number = Date.now) {
  return async (task: TaskDoc, td: TaskDefinitionDoc): Promise<StopReason | undefined> => {
    const scope = scopeOfTask(task)
    if (!scope) return undefined
    for (const def of td.containerDefinitions ?? []) {
      const options = awslogsOptions(def)
      if (!options) continue
      const res = await checkAwsLogsGroup(state, scope, options, now)
      if (!res.ok) return { stopCode: 'TaskFailedToStart', stoppedReason: awslogsStoppedReason(task.launchType, res.reason) }
    }
    return undefined
  }
}

/** Where TaskLogs sends the lines of awslogs containers: their CloudWatch Logs stream. */
export function awslogsSink(state: LogsState, repos: TdRepos, now: () => number = Date.now): TaskLogSink {
  const writer = new AwsLogsWriter(state, now)
  const targetOf = (task: TaskDoc, container: string): AwsLogsTarget | undefined => {
    const scope = scopeOfTask(task)
    const options = awslogsOptions(containerDefsOf(repos, task)?.find((d) => d.name === container))
    if (!scope || !options) return undefined
    const runtimeId = task.containers?.find((c) => c.name === container)?.runtimeId ?? containerRuntimeId(task.kecs.taskId, container)
    return awslogsTarget({ scope, containerName: container, taskId: task.kecs.taskId, runtimeId }, options)
  }
  return {
    wants: (task, container) => targetOf(task, container) !== undefined,
    async onLines(task, container, lines: LogLine[]) {
      const t = targetOf(task, container)
      if (t) await writer.write(t, lines)
    },
    resumeAfter(task, container) {
      const t = targetOf(task, container)
      return t ? writer.lastTimestamp(t) : undefined
    },
  }
}
