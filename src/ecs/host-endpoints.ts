import { randomBytes } from 'node:crypto'
import type { WriteOp } from '../store/store.js'
import type { Repos } from './repos.js'

/**
 * Endpoints KECS serves on its host for services that ECS would put behind a load balancer (Express
 * Mode, gateway routes): a host port per endpoint, forwarded to the container's port the way static
 * host ports are (src/kube/host-ports.ts), and ECS-style host names under `.localhost`, which
 * resolves to the loopback address. Ports are handed out from 40000 upward, one per endpoint, never reused.
 */
const HOST_PORT_BASE = 40_000

export function allocateHostPort(repos: Pick<Repos, 'counters'>): { port: number; op: WriteOp } {
  const n = repos.counters.next('host-endpoint-port')
  return { port: HOST_PORT_BASE + n.value - 1, op: n.op }
}

/** `<2 letters of the name>-<32 hex>`: the form of ECS's Express endpoints. */
export function endpointLabel(name: string): string {
  const prefix = name.replace(/[^A-Za-z0-9]/g, '').slice(0, 2).toLowerCase().padEnd(2, 'x')
  return `${prefix}-${randomBytes(16).toString('hex')}`
}
