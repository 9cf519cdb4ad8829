import { CliError } from '../lib/errors.js'
import { instanceState, nameSuffix, removeInstance } from './registry.js'

/** Fails when the instance already runs; cleans up a stale instance.json left by a killed process. */
export function checkNotRunning(dir: string, name: string, log: (line: string) => void): void {
  const st = instanceState(dir)
  if (st.state === 'running') {
    throw new CliError(
      `instance "${name}" is already running (pid ${st.record.pid}, ${st.record.endpoint})`,
      `Stop it with \`kecs stop${nameSuffix(name)}\`, or start another instance with --name <other>.`,
    )
  }
  if (st.state === 'stale') {
    removeInstance(dir)
    log(`Removed a stale instance.json for "${name}" (${st.reason}).`)
  }
}
