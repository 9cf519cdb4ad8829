import { describeAll, ecs, listAll } from '../api.js'
import { Ago, Empty, Status } from '../components.js'
import { href, lastPart } from '../router.js'

/** Running and (still kept) stopped tasks of a cluster, or of one of its services; newest first. */
export async function loadTasks(cluster: string, serviceName?: string): Promise<any[]> {
  const scope = { cluster, ...(serviceName ? { serviceName } : {}) }
  const [running, stopped] = await Promise.all([
    listAll('ListTasks', { ...scope, desiredStatus: 'RUNNING' }, 'taskArns'),
    listAll('ListTasks', { ...scope, desiredStatus: 'STOPPED' }, 'taskArns'),
  ])
  const arns = [...running, ...stopped]
  const tasks = await describeAll(arns, 100, async (chunk) => (await ecs('DescribeTasks', { cluster, tasks: chunk })).tasks as any[])
  return tasks.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
}

export function TasksTable({ cluster, tasks }: { cluster: string; tasks?: any[] }) {
  if (!tasks) return null
  if (!tasks.length) return <Empty>No tasks.</Empty>
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Task</th>
            <th>Last status</th>
            <th>Desired</th>
            <th>Task definition</th>
            <th>Group</th>
            <th>Launch type</th>
            <th>Health</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => {
            const id = lastPart(t.taskArn)
            return (
              <tr key={t.taskArn} data-task={id}>
                <td>
                  <a href={href.task(cluster, id)}>
                    <code>{id.slice(0, 12)}</code>
                  </a>
                </td>
                <td class="task-status">
                  <Status value={t.lastStatus} />
                </td>
                <td>
                  <Status value={t.desiredStatus} />
                </td>
                <td>{lastPart(t.taskDefinitionArn)}</td>
                <td>{t.group}</td>
                <td>{t.launchType ?? (t.capacityProviderName ? t.capacityProviderName : '—')}</td>
                <td>
                  <Status value={t.healthStatus} />
                </td>
                <td>
                  <Ago at={t.createdAt} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
