import { useState } from 'preact/hooks'
import { ecs, listAll } from '../api.js'
import { Ago, clock, Confirm, Dl, Empty, ErrorBox, Section, Status } from '../components.js'
import { refsOf } from '../feed.js'
import { useLive } from '../live.js'
import { href, lastPart, navigate } from '../router.js'
import { loadTasks, TasksTable } from './tasks-table.js'

const familyOf = (arn: string) => lastPart(arn).replace(/:\d+$/, '')

export function ServicePage({ cluster, service }: { cluster: string; service: string }) {
  const live = useLive(
    async () => {
      const d = await ecs('DescribeServices', { cluster, services: [service] })
      const s = d.services?.[0]
      if (!s) throw new Error(`Service ${service} was not found in cluster ${cluster} (${d.failures?.[0]?.reason ?? 'MISSING'}).`)
      const [tasks, revisions] = await Promise.all([
        loadTasks(cluster, service),
        listAll('ListTaskDefinitions', { familyPrefix: familyOf(s.taskDefinition), sort: 'DESC' }, 'taskDefinitionArns'),
      ])
      return { s, tasks, revisions: revisions.filter((a) => familyOf(a) === familyOf(s.taskDefinition)) }
    },
    [cluster, service],
    { when: (e) => refsOf(e).cluster === cluster },
  )
  const s = live.data?.s
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.overview()}>Overview</a> / <a href={href.cluster(cluster)}>{cluster}</a> / <span>{service}</span>
      </nav>
      <h1>Service {service}</h1>
      <ErrorBox error={live.error} />
      {s ? (
        <>
          <Section title="Service">
            <Dl
              items={[
                ['Status', <Status value={s.status} />],
                ['Desired', <span data-testid="desired-count">{s.desiredCount}</span>],
                ['Running', s.runningCount],
                ['Pending', s.pendingCount],
                ['Task definition', <a href={href.taskdefs(familyOf(s.taskDefinition), lastPart(s.taskDefinition).split(':').pop())}>{lastPart(s.taskDefinition)}</a>],
                ['Launch type', s.launchType ?? '—'],
                ['Scheduling', s.schedulingStrategy],
                ['Created', <Ago at={s.createdAt} />],
              ]}
            />
          </Section>
          {s.status === 'ACTIVE' ? <Actions cluster={cluster} s={s} revisions={live.data!.revisions} onDone={live.reload} /> : null}
          <Section title="Deployments">
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>Status</th>
                    <th>Rollout</th>
                    <th>Task definition</th>
                    <th class="num">Desired</th>
                    <th class="num">Pending</th>
                    <th class="num">Running</th>
                    <th class="num">Failed</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {(s.deployments ?? []).map((d: any) => (
                    <tr key={d.id}>
                      <td>
                        <Status value={d.status} />
                      </td>
                      <td class="wrap">
                        <Status value={d.rolloutState} />
                        <Progress d={d} />
                        {d.rolloutStateReason ? <div class="muted small">{d.rolloutStateReason}</div> : null}
                      </td>
                      <td>{lastPart(d.taskDefinition)}</td>
                      <td class="num">{d.desiredCount}</td>
                      <td class="num">{d.pendingCount}</td>
                      <td class="num">{d.runningCount}</td>
                      <td class="num">{d.failedTasks ?? 0}</td>
                      <td>
                        <Ago at={d.updatedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Section title="Tasks">
            <TasksTable cluster={cluster} tasks={live.data!.tasks} />
          </Section>
          <Section title="Service events">
            {(s.events ?? []).length === 0 ? <Empty>No service events yet.</Empty> : null}
            <ul class="plain service-events">
              {(s.events ?? []).slice(0, 30).map((e: any) => (
                <li key={e.id}>
                  <span class="muted">{clock(e.createdAt)}</span> {e.message}
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </>
  )
}

function Progress({ d }: { d: any }) {
  if (!d.desiredCount) return null
  const pct = Math.min(100, Math.round((100 * (d.runningCount ?? 0)) / d.desiredCount))
  return <progress class="rollout" max={100} value={pct} aria-label={`${d.runningCount} of ${d.desiredCount} running`} />
}

function Actions({ cluster, s, revisions, onDone }: { cluster: string; s: any; revisions: string[]; onDone(): void }) {
  const [count, setCount] = useState(String(s.desiredCount))
  const [revision, setRevision] = useState(s.taskDefinition)
  const [error, setError] = useState<Error>()
  const [note, setNote] = useState('')
  const [confirmDelete, setConfirmDelete] = useState(false)
  const act = async (what: string, body: object) => {
    setError(undefined)
    setNote('')
    try {
      await ecs('UpdateService', { cluster, service: s.serviceName, ...body })
      setNote(what)
      onDone()
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <Section title="Actions">
      <div class="action-row">
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault()
            void act(`Desired count set to ${count}.`, { desiredCount: Number(count) })
          }}
        >
          <label>
            Desired count{' '}
            <input name="desiredCount" type="number" min={0} value={count} onInput={(e) => setCount(e.currentTarget.value)} style="width:5em" />
          </label>
          <button type="submit">Scale</button>
        </form>
        <button type="button" onClick={() => act('A new deployment was started.', { forceNewDeployment: true })}>
          Force new deployment
        </button>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault()
            void act(`Updating to ${lastPart(revision)}.`, { taskDefinition: revision })
          }}
        >
          <label>
            Revision{' '}
            <select value={revision} onChange={(e) => setRevision(e.currentTarget.value)}>
              {revisions.map((r) => (
                <option value={r}>{lastPart(r)}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={revision === s.taskDefinition}>
            Update
          </button>
        </form>
        <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
          Delete service
        </button>
      </div>
      {note ? <p class="note" role="status">{note}</p> : null}
      <ErrorBox error={error} />
      {confirmDelete ? (
        <Confirm
          title={`Delete service ${s.serviceName}?`}
          confirm="Delete service"
          danger
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await ecs('DeleteService', { cluster, service: s.serviceName, force: true })
            navigate(href.cluster(cluster))
          }}
        >
          <p>
            Its {s.runningCount} running task{s.runningCount === 1 ? '' : 's'} will be stopped, the service goes to DRAINING and then INACTIVE, and
            its name can be used again. This cannot be undone.
          </p>
        </Confirm>
      ) : null}
    </Section>
  )
}
