import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, ecs, streamLogs } from '../api.js'
import { Ago, Confirm, Dl, ErrorBox, Section, Status } from '../components.js'
import { events } from '../feed.js'
import { useLive } from '../live.js'
import { href, lastPart } from '../router.js'
import { timeline } from '../timeline.js'

export function TaskPage({ cluster, task }: { cluster: string; task: string }) {
  const live = useLive(
    async () => {
      const d = await ecs('DescribeTasks', { cluster, tasks: [task], include: ['TAGS'] })
      const t = d.tasks?.[0]
      if (!t) throw new Error(`Task ${task} was not found in cluster ${cluster} (${d.failures?.[0]?.reason ?? 'MISSING'}).`)
      return t
    },
    [cluster, task],
    { when: (e) => e.detail?.taskArn?.endsWith(`/${task}`) },
  )
  const [stopping, setStopping] = useState(false)
  const t = live.data
  const steps = t ? timeline(t, events.value) : []
  const service = t?.group?.startsWith('service:') ? t.group.slice(8) : undefined
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.overview()}>Overview</a> / <a href={href.cluster(cluster)}>{cluster}</a>
        {service ? (
          <>
            {' '}
            / <a href={href.service(cluster, service)}>{service}</a>
          </>
        ) : null}{' '}
        / <span>task {task.slice(0, 12)}</span>
      </nav>
      <h1>Task {task.slice(0, 12)}</h1>
      <ErrorBox error={live.error} />
      {t ? (
        <>
          <Section
            title="Task"
            actions={
              t.desiredStatus !== 'STOPPED' ? (
                <button type="button" class="danger" onClick={() => setStopping(true)}>
                  Stop task
                </button>
              ) : null
            }
          >
            <Dl
              items={[
                ['Last status', <span data-testid="task-status"><Status value={t.lastStatus} /></span>],
                ['Desired status', <Status value={t.desiredStatus} />],
                ['Health', <Status value={t.healthStatus} />],
                ['Task definition', <a href={href.taskdefs(lastPart(t.taskDefinitionArn).replace(/:\d+$/, ''), lastPart(t.taskDefinitionArn).split(':').pop())}>{lastPart(t.taskDefinitionArn)}</a>],
                ['Group', t.group],
                ['Launch type', t.launchType],
                ['CPU / memory', `${t.cpu ?? '—'} / ${t.memory ?? '—'}`],
                ['Created', <Ago at={t.createdAt} />],
                ['Stop code', t.stopCode],
                ['Stopped reason', t.stoppedReason],
                ['ARN', <code>{t.taskArn}</code>],
              ]}
            />
          </Section>
          <Section title="Timeline">
            <ol class="timeline">
              {steps.map((s) => (
                <li key={s.status}>
                  <Status value={s.status} /> <time dateTime={new Date(s.at).toISOString()}>{new Date(s.at).toLocaleTimeString()}</time>
                </li>
              ))}
            </ol>
          </Section>
          <Section title="Containers">
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Image</th>
                    <th>Status</th>
                    <th class="num">Exit code</th>
                    <th>Health</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {(t.containers ?? []).map((c: any) => (
                    <tr key={c.name}>
                      <td>{c.name}</td>
                      <td>
                        <code>{c.image}</code>
                      </td>
                      <td>
                        <Status value={c.lastStatus} />
                      </td>
                      <td class="num">{c.exitCode ?? '—'}</td>
                      <td>
                        <Status value={c.healthStatus} />
                      </td>
                      <td>{c.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Logs cluster={cluster} task={t} />
          {stopping ? (
            <Confirm
              title={`Stop task ${task.slice(0, 12)}?`}
              confirm="Stop task"
              danger
              onClose={() => setStopping(false)}
              onConfirm={async () => {
                await ecs('StopTask', { cluster, task: t.taskArn, reason: 'Stopped from the KECS web UI' })
                live.reload()
              }}
            >
              <p>Its containers get SIGTERM, then SIGKILL after the stop timeout.{service ? ` Service ${service} will start a replacement.` : ''}</p>
            </Confirm>
          ) : null}
        </>
      ) : null}
    </>
  )
}

const MAX_CHARS = 200_000

/** Container logs through the logs endpoint: followed while the task runs, the kept tail after. */
function Logs({ cluster, task }: { cluster: string; task: any }) {
  const names: string[] = (task.containers ?? []).map((c: any) => c.name)
  const [container, setContainer] = useState(names[0] ?? '')
  const [text, setText] = useState('')
  const [error, setError] = useState<Error>()
  const [state, setState] = useState('')
  const stopped = task.lastStatus === 'STOPPED'
  // Before its container starts there are no logs to read (the endpoint would answer 400): wait for it.
  const c = (task.containers ?? []).find((x: any) => x.name === container)
  const started = stopped || (c?.lastStatus !== undefined && c.lastStatus !== 'PENDING')
  const pre = useRef<HTMLPreElement>(null)

  useEffect(() => {
    if (!container || !started) return
    const ac = new AbortController()
    let retry: ReturnType<typeof setTimeout> | undefined
    const open = async () => {
      setText('')
      setError(undefined)
      setState(stopped ? 'kept tail' : 'live')
      try {
        await streamLogs({ task: task.taskArn, cluster, container, follow: !stopped, tail: 1000 }, (chunk) => setText((t) => (t + chunk).slice(-MAX_CHARS)), ac.signal)
        setState(stopped ? 'kept tail' : 'ended')
      } catch (e) {
        if (ac.signal.aborted) return
        // A container that has not started has no logs yet: try again shortly.
        if (!stopped && e instanceof ApiError && e.status === 400) retry = setTimeout(open, 1000)
        setError(e as Error)
      }
    }
    void open()
    return () => {
      ac.abort()
      clearTimeout(retry)
    }
  }, [task.taskArn, container, stopped, started])

  useEffect(() => {
    const el = pre.current
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight
  }, [text])

  return (
    <Section
      title="Logs"
      actions={
        <>
          <span class="muted small">{state}</span>
          {names.length > 1 ? (
            <select aria-label="Container" value={container} onChange={(e) => setContainer(e.currentTarget.value)}>
              {names.map((n) => (
                <option value={n}>{n}</option>
              ))}
            </select>
          ) : null}
        </>
      }
    >
      <ErrorBox error={error} />
      <pre class="logs" ref={pre} tabIndex={0} aria-label={`Logs of ${container}`}>
        {text || (error ? '' : started ? 'No log lines yet.' : 'Waiting for the container to start.')}
      </pre>
    </Section>
  )
}
