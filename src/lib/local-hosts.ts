/**
 * Which host names reach KECS on purpose (the DNS-rebinding guard, src/server/local-only.ts, and the
 * emulated Kubernetes API): pure name handling, no I/O.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/
const IPV6 = /^[0-9a-f:]+(:\d{1,3}(\.\d{1,3}){3})?$/

/**
 * The name part of a Host header (or an authority, or a name given on the command line): lower case,
 * without the port, the IPv6 brackets or a trailing dot. Undefined when it cannot be a host name.
 */
export function hostName(authority: string): string | undefined {
  let h = authority.trim().toLowerCase()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    if (end < 0) return undefined
    const rest = h.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined
    h = h.slice(1, end)
    return h.includes(':') && IPV6.test(h) ? h : undefined
  }
  // More than one colon without brackets: an IPv6 address as a flag value (`--allow-host ::1`).
  if (h.indexOf(':') !== h.lastIndexOf(':')) return IPV6.test(h) ? h : undefined
  const colon = h.indexOf(':')
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(h.slice(colon + 1))) return undefined
    h = h.slice(0, colon)
  }
  if (h.endsWith('.')) h = h.slice(0, -1)
  return h !== '' && NAME.test(h) ? h : undefined
}

/** `localhost`, any `*.localhost`, any 127.x.y.z, `::1`: names that resolve to this machine only. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true
  const m = IPV4.exec(name)
  return m !== null && m[1] === '127' && m.slice(2).every((o) => Number(o) <= 255)
}

/** A listen address that means every interface (`0.0.0.0`, `::`). */
export function isWildcardAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === '' || h === '0.0.0.0' || h === '::'
}

/** An IP address literal (v4 or v6), as opposed to a DNS name. */
export function isIpLiteral(name: string): boolean {
  return IPV4.test(name) || name.includes(':')
}

/** The host name of an `Origin` header; undefined for `null`, a scheme other than http(s), or garbage. */
export function originName(origin: string): string | undefined {
  let u: URL
  try {
    u = new URL(origin)
  } catch {
    return undefined
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined
  return hostName(u.host)
}

/**
 * A list of allowed host names: exact names, and `*.example.com` for every name under example.com.
 * Loopback names are always in it.
 */
export class HostAllowList {
  private readonly exact = new Set<string>()
  private readonly suffixes: string[] = []

  constructor(names: Iterable<string> = []) {
    for (const n of names) this.add(n)
  }

  /** Adds a name as given (a port, brackets and case are ignored); false when it is not a host name. */
  add(given: string): boolean {
    const wildcard = given.trim().startsWith('*.')
    const name = hostName(wildcard ? given.trim().slice(2) : given)
    if (!name) return false
    if (wildcard) this.suffixes.push(`.${name}`)
    else this.exact.add(name)
    return true
  }

  has(name: string): boolean {
    return isLoopbackName(name) || this.exact.has(name) || this.suffixes.some((s) => name.endsWith(s))
  }
}

/** Where the admin port listens unless `--admin-host` says: the API's address when it is loopback, else 127.0.0.1. */
export function defaultAdminHost(apiHost: string): string {
  return isLoopbackName(hostName(apiHost) ?? '') ? apiHost : '127.0.0.1'
}
