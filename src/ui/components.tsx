import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.js'

export function Status({ value }: { value?: string }) {
  const v = value ?? '—'
  const tone = /RUNNING|ACTIVE|COMPLETED|HEALTHY|PRIMARY|STEADY|READY/.test(v)
    ? 'ok'
    : /STOPPED|INACTIVE|FAILED|UNHEALTHY|DRAINING/.test(v)
      ? 'off'
      : /PENDING|PROVISIONING|ACTIVATING|IN_PROGRESS|DEACTIVATING|STOPPING|DEPROVISIONING|UNKNOWN/.test(v)
        ? 'wait'
        : ''
  return <span class={`status ${tone}`}>{v}</span>
}

/** A time as "3m ago", with the exact time on hover. */
export function Ago({ at }: { at?: number | string }) {
  if (at === undefined || at === null || at === '') return <span class="muted">—</span>
  const ms = typeof at === 'number' ? at * 1000 : Date.parse(at)
  return <time dateTime={new Date(ms).toISOString()} title={new Date(ms).toLocaleString()}>{ago(ms)}</time>
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86400)}d ago`
}

export const clock = (at?: number | string) =>
  at === undefined ? '' : new Date(typeof at === 'number' ? at * 1000 : Date.parse(at)).toLocaleTimeString()

/** The API's words: its error type and message. */
export function ErrorBox({ error }: { error?: Error | ApiError }) {
  if (!error) return null
  return (
    <div class="error" role="alert">
      {error instanceof ApiError ? <strong>{error.type}: </strong> : null}
      {error.message}
    </div>
  )
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  )
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted empty">{children}</p>
}

/** A modal confirmation (native <dialog>: focus stays inside, Escape cancels). */
export function Confirm(props: { title: string; children: ComponentChildren; confirm: string; danger?: boolean; onConfirm(): Promise<void>; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const [error, setError] = useState<Error>()
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    ref.current?.showModal()
  }, [])
  return (
    <dialog ref={ref} class="dialog" onClose={props.onClose} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{props.title}</h2>
      <div>{props.children}</div>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? 'danger' : 'primary'}
          disabled={busy}
          onClick={async () => {
            setBusy(true)
            setError(undefined)
            try {
              await props.onConfirm()
              ref.current?.close()
            } catch (e) {
              setError(e as Error)
            } finally {
              setBusy(false)
            }
          }}
        >
          {props.confirm}
        </button>
      </div>
    </dialog>
  )
}

export function CopyButton({ text }: { text: string }) {
  const [done, setDone] = useState(false)
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text)
        } catch {
          // Clipboard access needs a secure context; select the text as a fallback.
          const ta = document.createElement('textarea')
          ta.value = text
          document.body.append(ta)
          ta.select()
          document.execCommand('copy')
          ta.remove()
        }
        setDone(true)
        setTimeout(() => setDone(false), 1500)
      }}
    >
      {done ? 'Copied' : 'Copy JSON'}
    </button>
  )
}

export function Dl({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? <span class="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  )
}
