import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.js'
import { onEvent, type EcsEvent } from './feed.js'

export interface Live<T> {
  data?: T
  error?: ApiError | Error
  loading: boolean
  reload(): void
}

/**
 * Loads a page's data, then again whenever a live event it cares about arrives (debounced) and, for
 * what has no event (clusters, task definitions), every few seconds while the tab is visible.
 */
export function useLive<T>(load: () => Promise<T>, key: unknown[], opts: { when?: (e: EcsEvent) => boolean; everyMs?: number } = {}): Live<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true })
  const loadRef = useRef(load)
  loadRef.current = load
  const whenRef = useRef(opts.when)
  whenRef.current = opts.when
  const tick = useRef<() => void>(() => {})

  useEffect(() => {
    let alive = true
    let running = false
    let again = false
    let timer: ReturnType<typeof setTimeout> | undefined
    setState({ loading: true })
    const run = async () => {
      if (running) return void (again = true)
      running = true
      try {
        const data = await loadRef.current()
        if (alive) setState({ data, loading: false })
      } catch (e) {
        if (alive) setState((s) => ({ data: s.data, error: e as Error, loading: false }))
      } finally {
        running = false
        if (again && alive) {
          again = false
          void run()
        }
      }
    }
    const soon = () => {
      clearTimeout(timer)
      timer = setTimeout(run, 150)
    }
    tick.current = () => void run()
    void run()
    const off = onEvent((e) => {
      if (!whenRef.current || whenRef.current(e)) soon()
    })
    const every = setInterval(() => document.visibilityState === 'visible' && void run(), opts.everyMs ?? 3000)
    return () => {
      alive = false
      off()
      clearTimeout(timer)
      clearInterval(every)
    }
  }, key)

  return { ...state, reload: () => tick.current() }
}
