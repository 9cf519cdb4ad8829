/**
 * An instance started with `--auth sigv4` lets the web UI in with its client key instead of a
 * signature. `kecs ui` opens the UI with the key in the fragment (`#kecs-client-key=...`, never sent
 * to a server): it is kept in this origin's storage and removed from the address bar.
 * (No DOM types here: tests call it with stand-ins.)
 */
export const CLIENT_KEY_PARAM = 'kecs-client-key'
export const CLIENT_KEY_HEADER = 'X-Kecs-Client-Key'

export function takeClientKey(
  loc: { hash: string; pathname: string; search: string },
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void },
  replace: (url: string) => void,
): string | undefined {
  const m = new RegExp(`(?:^#|&)${CLIENT_KEY_PARAM}=([^&]*)`).exec(loc.hash)
  if (m) {
    storage.setItem(CLIENT_KEY_PARAM, decodeURIComponent(m[1]!))
    replace(loc.pathname + loc.search)
  }
  return storage.getItem(CLIENT_KEY_PARAM) ?? undefined
}
