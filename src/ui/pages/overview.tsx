import { useState } from 'preact/hooks'
import { ecs, listAll, status } from '../api.js'
import { Ago, clock, Dl, Empty, ErrorBox, Section, Status } from '../components.js'
import { events, summary } from '../feed.js'
import { useLive } from '../live.js'
import { href } from '../router.js'

function uptime(s?: number) {
  if (s === undefined) return undefined
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`
}

export function Overview() {
  const info = useLive(() => status(), [], { everyMs: 5000 })
  const clusters = useLive(
    async () => {
      const arns = await listAll('ListClusters', {}, 'clusterArns')
      if (!arns.length) return []
      const r = await ecs('DescribeClusters', { clusters: arns })
      return (r.clusters as any[]).sort((a, b) => a.clusterName.localeCompare(b.clusterName))
    },
    [],
    { everyMs: 2000 },
  )
  const s = info.data
  return (
    <>
      <h1>Overview</h1>
      <Section title="Instance">
        <ErrorBox error={info.error} />
        {s ? (
          <Dl
            items={[
              ['Status', <Status value={String(s.status).toUpperCase()} />],
              ['Cluster provider', s.clusterProvider],
              ['Endpoint', <code>{location.origin}</code>],
              ['Uptime', uptime(s.uptimeSeconds)],
              ['Started', s.startedAt ? new Date(s.startedAt).toLocaleString() : undefined],
              ...(s.version ? ([['Version', s.version]] as [string, string][]) : []),
              ['Process', s.pid],
            ]}
          />
        ) : null}
      </Section>
      <Section title="Clusters" actions={<CreateCluster onDone={clusters.reload} />}>
        <ErrorBox error={clusters.error} />
        {clusters.data && clusters.data.length === 0 ? (
          <Empty>No clusters yet. Create one here or with `aws ecs create-cluster --cluster-name demo`.</Empty>
        ) : null}
        {clusters.data?.length ? (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Status</th>
                  <th class="num">Services</th>
                  <th class="num">Running</th>
                  <th class="num">Pending</th>
                  <th class="num">Instances</th>
                </tr>
              </thead>
              <tbody>
                {clusters.data.map((c) => (
                  <tr key={c.clusterArn} data-cluster={c.clusterName}>
                    <td>
                      <a href={href.cluster(c.clusterName)}>{c.clusterName}</a>
                    </td>
                    <td>
                      <Status value={c.status} />
                    </td>
                    <td class="num">{c.activeServicesCount}</td>
                    <td class="num">{c.runningTasksCount}</td>
                    <td class="num">{c.pendingTasksCount}</td>
                    <td class="num">{c.registeredContainerInstancesCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
      <Section title="Recent events">
        {events.value.length === 0 ? <Empty>No events in the last hour.</Empty> : null}
        <ul class="plain">
          {events.value.slice(0, 8).map((e) => (
            <li key={e.id}>
              <span class="muted">{clock(e.time)}</span> {e['detail-type'].replace(/^ECS /, '')}: {summary(e)} <Ago at={e.time} />
            </li>
          ))}
        </ul>
      </Section>
    </>
  )
}

function CreateCluster({ onDone }: { onDone(): void }) {
  const [name, setName] = useState('')
  const [error, setError] = useState<Error>()
  return (
    <form
      class="inline"
      onSubmit={async (e) => {
        e.preventDefault()
        setError(undefined)
        try {
          await ecs('CreateCluster', { clusterName: name.trim() || undefined })
          setName('')
          onDone()
        } catch (err) {
          setError(err as Error)
        }
      }}
    >
      <input aria-label="New cluster name" placeholder="new cluster name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit">Create cluster</button>
      <ErrorBox error={error} />
    </form>
  )
}
