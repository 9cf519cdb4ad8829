import { execa } from 'execa'
import { instanceDir, instanceState, kecsHome } from './registry.js'
import { notRunning } from './api.js'
import { uiUrl } from './printers.js'

/** The fragment parameter `kecs ui` hands the client key to the web UI in (src/ui/api.ts reads it). */
export const UI_KEY_FRAGMENT = 'kecs-client-key'

/** Runs a command and says whether it started and exited 0 (injected so tests open no browser). */
export type Opener = (cmd: string, args: string[]) => Promise<boolean>

const execOpener: Opener = async (cmd, args) => {
  const r = await execa(cmd, args, { reject: false, stdio: 'ignore', timeout: 10_000 }).catch(() => undefined)
  return r !== undefined && !r.failed && r.exitCode === 0
}

/** The command that opens a URL in the default browser here, or none where no browser can be shown. */
export function browserCommand(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): [string, string[]] | undefined {
  if (env.BROWSER === 'none' || env.CI === 'true') return undefined
  if (platform === 'darwin') return ['open', []]
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']]
  // Linux and the BSDs: only a desktop session has a browser to show.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined
  return ['xdg-open', []]
}

/**
 * `kecs ui`: the running instance's web UI, opened in the default browser; where none can be
 * opened (no desktop, CI, the opener failed), the URL is printed to open by hand.
 */
export async function openUi(
  o: { name: string; endpoint?: string; home?: string },
  io: { out(line: string): void; err(line: string): void },
  env: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; open?: Opener } = {},
): Promise<string> {
  let endpoint = o.endpoint?.replace(/\/+$/, '')
  let clientKey: string | undefined
  if (!endpoint) {
    const st = instanceState(instanceDir(o.name, o.home ?? kecsHome()))
    if (st.state !== 'running') throw notRunning(o.name)
    endpoint = st.record.endpoint
    clientKey = st.record.clientKey
  }
  // --auth sigv4: the UI gets the client key in the fragment (never sent to a server), keeps it and drops it from the address.
  const url = uiUrl(endpoint) + (clientKey ? `#${UI_KEY_FRAGMENT}=${encodeURIComponent(clientKey)}` : '')
  const cmd = browserCommand(env.platform ?? process.platform, env.env ?? process.env)
  if (cmd && (await (env.open ?? execOpener)(cmd[0], [...cmd[1], url]))) {
    io.err(`Opened ${url} in your browser.`)
  } else {
    io.err('No browser could be opened here: open this address yourself.')
  }
  io.out(url)
  return url
}
