import { describeAll, ecs, listAll } from '../api.js'
import { Ago, Dl, Empty, ErrorBox, Section, Status } from '../components.js'
import { refsOf } from '../feed.js'
import { useLive } from '../live.js'
import { href, lastPart } from '../router.js'
import { loadTasks, TasksTable } from './tasks-table.js'

export function ClusterPage({ cluster }: { cluster: string }) {
  const live = useLive(
    async () => {
      const d = await ecs('DescribeClusters', { clusters: [cluster], include: ['STATISTICS'] })
      if (!d.clusters?.length) throw new Error(`Cluster ${cluster} was not found (${d.failures?.[0]?.reason ?? 'MISSING'}).`)
      const serviceArns = await listAll('ListServices', { cluster }, 'serviceArns')
      const services = await describeAll(serviceArns, 10, async (chunk) => (await ecs('DescribeServices', { cluster, services: chunk })).services as any[])
      return { cluster: d.clusters[0], services: services.sort((a, b) => a.serviceName.localeCompare(b.serviceName)), tasks: await loadTasks(cluster) }
    },
    [cluster],
    { when: (e) => refsOf(e).cluster === cluster },
  )
  const c = live.data?.cluster
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.overview()}>Overview</a> / <span>{cluster}</span>
      </nav>
      <h1>Cluster {cluster}</h1>
      <ErrorBox error={live.error} />
      {c ? (
        <Section title="Cluster">
          <Dl
            items={[
              ['Status', <Status value={c.status} />],
              ['ARN', <code>{c.clusterArn}</code>],
              ['Active services', c.activeServicesCount],
              ['Running tasks', c.runningTasksCount],
              ['Pending tasks', c.pendingTasksCount],
              // Counted here; listing them waits for ListContainerInstances, which KECS does not serve yet.
              ['Container instances', c.registeredContainerInstancesCount],
            ]}
          />
        </Section>
      ) : null}
      {live.data ? (
        <>
          <Section title="Services">
            {live.data.services.length === 0 ? <Empty>No services.</Empty> : null}
            {live.data.services.length ? (
              <div class="scroll">
                <table>
                  <thead>
                    <tr>
                      <th>Service</th>
                      <th>Status</th>
                      <th class="num">Desired</th>
                      <th class="num">Running</th>
                      <th class="num">Pending</th>
                      <th>Task definition</th>
                      <th>Launch type</th>
                      <th>Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {live.data.services.map((s) => (
                      <tr key={s.serviceArn} data-service={s.serviceName}>
                        <td>
                          <a href={href.service(cluster, s.serviceName)}>{s.serviceName}</a>
                        </td>
                        <td>
                          <Status value={s.status} />
                        </td>
                        <td class="num">{s.desiredCount}</td>
                        <td class="num">{s.runningCount}</td>
                        <td class="num">{s.pendingCount}</td>
                        <td>{lastPart(s.taskDefinition)}</td>
                        <td>{s.launchType ?? s.capacityProviderStrategy?.[0]?.capacityProvider ?? '—'}</td>
                        <td>
                          <Ago at={s.createdAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </Section>
          <Section title="Tasks">
            <TasksTable cluster={cluster} tasks={live.data.tasks} />
          </Section>
        </>
      ) : null}
    </>
  )
}
