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
      const instanceArns = await listAll('ListContainerInstances', { cluster }, 'containerInstanceArns')
      const instances = await describeAll(
        instanceArns,
        100,
        async (chunk) => (await ecs('DescribeContainerInstances', { cluster, containerInstances: chunk })).containerInstances as any[],
      )
      return {
        cluster: d.clusters[0],
        services: services.sort((a, b) => a.serviceName.localeCompare(b.serviceName)),
        tasks: await loadTasks(cluster),
        instances,
      }
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
          <Section title="Container instances">
            {live.data.instances.length === 0 ? <Empty>No container instances.</Empty> : <InstancesTable instances={live.data.instances} />}
          </Section>
        </>
      ) : null}
    </>
  )
}

/** The cluster's container instances (its Kubernetes nodes): status, agent, tasks and what is left of CPU and memory. */
function InstancesTable({ instances }: { instances: any[] }) {
  const resource = (list: any[] | undefined, name: string) => list?.find((r) => r.name === name)?.integerValue ?? '—'
  const attr = (i: any, name: string) => i.attributes?.find((a: any) => a.name === name)?.value ?? '—'
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Instance</th>
            <th>Status</th>
            <th>Agent</th>
            <th>Type</th>
            <th class="num">Running</th>
            <th class="num">Pending</th>
            <th class="num">CPU left</th>
            <th class="num">Memory left</th>
            <th>Registered</th>
          </tr>
        </thead>
        <tbody>
          {instances.map((i) => (
            <tr key={i.containerInstanceArn} data-instance={lastPart(i.containerInstanceArn)}>
              <td>
                <code>{i.ec2InstanceId ?? lastPart(i.containerInstanceArn)}</code>
              </td>
              <td>
                <Status value={i.status} />
              </td>
              <td>{i.agentConnected ? 'connected' : 'disconnected'}</td>
              <td>{attr(i, 'ecs.instance-type')}</td>
              <td class="num">{i.runningTasksCount}</td>
              <td class="num">{i.pendingTasksCount}</td>
              <td class="num">{resource(i.remainingResources, 'CPU')}</td>
              <td class="num">{resource(i.remainingResources, 'MEMORY')}</td>
              <td>
                <Ago at={i.registeredAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
