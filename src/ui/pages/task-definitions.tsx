import { useState } from 'preact/hooks'
import { ecs, listAll } from '../api.js'
import { Confirm, CopyButton, Empty, ErrorBox, Section, Status } from '../components.js'
import { useLive } from '../live.js'
import { href, lastPart, navigate } from '../router.js'

const familyOf = (arn: string) => lastPart(arn).replace(/:\d+$/, '')

export function TaskDefinitions({ family, revision }: { family?: string; revision?: string }) {
  const families = useLive(() => listAll('ListTaskDefinitionFamilies', { status: 'ACTIVE' }, 'families'), [], { everyMs: 5000 })
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.overview()}>Overview</a> / <a href={href.taskdefs()}>Task definitions</a>
        {family ? <> / <span>{family}</span></> : null}
      </nav>
      <h1>Task definitions</h1>
      <div class="split">
        <Section title="Families">
          <ErrorBox error={families.error} />
          {families.data?.length === 0 ? <Empty>No task definitions yet.</Empty> : null}
          <ul class="plain families">
            {families.data?.map((f) => (
              <li key={f}>
                <a href={href.taskdefs(f)} aria-current={f === family ? 'page' : undefined}>
                  {f}
                </a>
              </li>
            ))}
          </ul>
        </Section>
        <div>
          {family ? <Family family={family} revision={revision} onChange={families.reload} /> : null}
          <Register onDone={families.reload} />
        </div>
      </div>
    </>
  )
}

function Family({ family, revision, onChange }: { family: string; revision?: string; onChange(): void }) {
  const revisions = useLive(
    async () => (await listAll('ListTaskDefinitions', { familyPrefix: family, sort: 'DESC' }, 'taskDefinitionArns')).filter((a) => familyOf(a) === family),
    [family],
    { everyMs: 5000 },
  )
  const chosen = revision ?? revisions.data?.[0]?.split(':').pop()
  return (
    <>
      <Section title={`${family}: revisions`}>
        <ErrorBox error={revisions.error} />
        {revisions.data?.length === 0 ? <Empty>No active revisions.</Empty> : null}
        <ul class="chips">
          {revisions.data?.map((a) => {
            const rev = a.split(':').pop()!
            return (
              <li key={a}>
                <a href={href.taskdefs(family, rev)} aria-current={rev === chosen ? 'page' : undefined}>
                  {lastPart(a)}
                </a>
              </li>
            )
          })}
        </ul>
      </Section>
      {chosen ? <Revision key={`${family}:${chosen}`} name={`${family}:${chosen}`} onChange={() => (revisions.reload(), onChange())} /> : null}
    </>
  )
}

function Revision({ name, onChange }: { name: string; onChange(): void }) {
  const td = useLive(async () => (await ecs('DescribeTaskDefinition', { taskDefinition: name, include: ['TAGS'] })).taskDefinition, [name], { everyMs: 10_000 })
  const [confirm, setConfirm] = useState(false)
  const json = td.data ? JSON.stringify(td.data, null, 2) : ''
  return (
    <Section
      title={name}
      actions={
        td.data ? (
          <>
            <Status value={td.data.status} />
            <CopyButton text={json} />
            {td.data.status === 'ACTIVE' ? (
              <button type="button" class="danger" onClick={() => setConfirm(true)}>
                Deregister
              </button>
            ) : null}
          </>
        ) : null
      }
    >
      <ErrorBox error={td.error} />
      {td.data?.status === 'ACTIVE' ? <RunTask taskDefinition={td.data.taskDefinitionArn} /> : null}
      <pre class="json" tabIndex={0} aria-label="Task definition JSON">
        {json}
      </pre>
      {confirm ? (
        <Confirm
          title={`Deregister ${name}?`}
          confirm="Deregister"
          danger
          onClose={() => setConfirm(false)}
          onConfirm={async () => {
            await ecs('DeregisterTaskDefinition', { taskDefinition: name })
            td.reload()
            onChange()
          }}
        >
          <p>The revision becomes INACTIVE: running tasks and services that use it keep running, but no new task or service can start from it.</p>
        </Confirm>
      ) : null}
    </Section>
  )
}

function RunTask({ taskDefinition }: { taskDefinition: string }) {
  const clusters = useLive(() => listAll('ListClusters', {}, 'clusterArns'), [], { everyMs: 10_000 })
  const [cluster, setCluster] = useState('')
  const [count, setCount] = useState('1')
  const [error, setError] = useState<Error>()
  const names = (clusters.data ?? []).map(lastPart)
  const target = cluster || names[0] || ''
  return (
    <form
      class="inline run-task"
      onSubmit={async (e) => {
        e.preventDefault()
        setError(undefined)
        try {
          const r = await ecs('RunTask', { cluster: target, taskDefinition, count: Number(count) })
          const id = lastPart(r.tasks?.[0]?.taskArn)
          if (id) navigate(href.task(target, id))
          else setError(new Error(r.failures?.map((f: any) => `${f.reason}${f.detail ? `: ${f.detail}` : ''}`).join('; ') || 'No task was started.'))
        } catch (err) {
          setError(err as Error)
        }
      }}
    >
      <label>
        Cluster{' '}
        <select value={target} onChange={(e) => setCluster(e.currentTarget.value)}>
          {names.map((n) => (
            <option value={n}>{n}</option>
          ))}
        </select>
      </label>
      <label>
        Count <input type="number" min={1} max={10} value={count} onInput={(e) => setCount(e.currentTarget.value)} style="width:4em" />
      </label>
      <button type="submit" disabled={!target}>
        Run task
      </button>
      <ErrorBox error={error} />
    </form>
  )
}

const SAMPLE = JSON.stringify(
  { family: 'hello', containerDefinitions: [{ name: 'app', image: 'nginx:alpine', memory: 128, essential: true, portMappings: [{ containerPort: 80 }] }] },
  null,
  2,
)

/** Registers a revision from pasted JSON: the text goes to the API as is, and its error comes back as it words it. */
function Register({ onDone }: { onDone(): void }) {
  const [text, setText] = useState('')
  const [error, setError] = useState<Error>()
  const [done, setDone] = useState<string>()
  return (
    <Section title="Register a task definition">
      <form
        onSubmit={async (e) => {
          e.preventDefault()
          setError(undefined)
          setDone(undefined)
          try {
            const r = await ecs('RegisterTaskDefinition', text)
            const arn: string = r.taskDefinition.taskDefinitionArn
            setDone(lastPart(arn))
            onDone()
            navigate(href.taskdefs(familyOf(arn), arn.split(':').pop()))
          } catch (err) {
            setError(err as Error)
          }
        }}
      >
        <label for="register-json">The RegisterTaskDefinition input, as JSON (what `aws ecs register-task-definition --cli-input-json` takes)</label>
        <textarea id="register-json" name="register-json" rows={12} spellcheck={false} placeholder={SAMPLE} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <div class="actions">
          <button type="button" onClick={() => setText(SAMPLE)}>
            Fill in a sample
          </button>
          <button type="submit" class="primary" disabled={!text.trim()}>
            Register
          </button>
        </div>
      </form>
      {done ? <p class="note" role="status">Registered {done}.</p> : null}
      <ErrorBox error={error} />
    </Section>
  )
}
