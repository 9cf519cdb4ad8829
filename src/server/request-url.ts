/**
 * A request's URL, even when its Host is not a valid URL host. The SDKs send Cloud Map's
 * DiscoverInstances to `data-<endpoint host>` (fact sheet 0.4): `data-127.0.0.1:8080` reaches KECS
 * when a client resolves it, and WHATWG URL parsing rejects it (it reads as a bad IPv4 address). The
 * path and query are what routing needs; the host is kept only when it parses.
 */
export function requestUrl(url: string): URL {
  try {
    return new URL(url)
  } catch {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url)
    return new URL(m?.[1] || '/', 'http://localhost')
  }
}
