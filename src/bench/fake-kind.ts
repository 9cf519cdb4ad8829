import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Fake `docker` and `kind` executables (bash, builtins only) in a temporary bin directory, for tests
 * that run the Kind provider without Docker, and for the bench's Kind-reuse start (KECS's own work).
 * They append each call to calls.log and play a scenario kept in a state directory, which the test
 * can change between calls:
 *   docker-down    `docker info` fails with Docker's own "Cannot connect" error
 *   clusters       what `kind get clusters` lists (create adds, delete removes)
 *   create-error   `kind create cluster` prints it on stderr and exits 1
 *   kubeconfig     what `kind get kubeconfig` prints
 *   images         images `kind load docker-image` finds "locally", one a line
 *   node-stopped   `docker inspect` says the node container is not running
 *   iptables-nat   the node's nat table as a fake `iptables` keeps it (`docker exec <node> sh -c SCRIPT` runs
 *                  SCRIPT with bash and only that fake on PATH; logged with its lines joined by '; ')
 * With `docker: 'missing'` / `kind: 'missing'` the executable is simply not there. PATH holds only
 * the bin directory, so the machine's real docker or kind are never reached.
 */
export interface FakeToolsOptions {
  docker?: 'ok' | 'down' | 'missing'
  kind?: 'ok' | 'missing'
  clusters?: string[]
  createError?: string
  kubeconfig?: string
  images?: string[]
}

export interface FakeKindTools {
  root: string
  bin: string
  state: string
  /** Only the fake bin directory (plus node for scripts that need it). */
  env: Record<string, string>
  /** The calls so far, one `docker info --format ...` string each. */
  calls(): string[]
  clusters(): string[]
  resetCalls(): void
  set(file: 'docker-down' | 'clusters' | 'create-error' | 'kubeconfig' | 'images' | 'node-stopped' | 'iptables-nat', text: string | undefined): void
  /** The node's nat table as the fake iptables keeps it: `:CHAIN` for a chain made, `-A CHAIN rule` per rule. */
  natRules(): string[]
  cleanup(): void
}

const DOCKER = (state: string) => `#!/bin/bash
S='${state}'
if [[ "$1" == exec ]]; then
  printf '%s\\n' "docker \${*:1:4} \${5//$'\\n'/; }" >> "$S/calls.log"
else
  printf '%s\\n' "docker $*" >> "$S/calls.log"
fi
case "$1" in
  exec)
    if [[ "$3" == sh && "$4" == -c ]]; then PATH="$S/node-bin" /bin/bash -c "$5"; exit $?; fi
    echo "fake docker: unexpected exec: $*" >&2; exit 2 ;;
  --version) echo "Docker version 27.5.1, build 9f9e405" ;;
  info)
    if [[ -e "$S/docker-down" ]]; then
      echo
      echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
      exit 1
    fi
    echo "27.5.1" ;;
  inspect)
    if [[ -e "$S/node-stopped" ]]; then echo false; else echo true; fi ;;
  start) echo "$2" ;;
  network) echo "172.18.0.1 fc00:f853:ccd:e793::1 " ;;
  *) echo "fake docker: unexpected: $*" >&2; exit 2 ;;
esac
`

/** iptables as the node runs it, on a rules file per table: -N -F -A -I -C, enough for KECS's script. */
const IPTABLES = (state: string) => `#!/bin/bash
S='${state}'
printf '%s\\n' "iptables $*" >> "$S/calls.log"
table=filter
if [[ "$1" == -t ]]; then table="$2"; shift 2; fi
op="$1"; chain="$2"; shift 2
f="$S/iptables-$table"
rules=()
if [[ -e "$f" ]]; then while IFS= read -r l; do [[ -n "$l" ]] && rules+=("$l"); done < "$f"; fi
has() { local r; for r in "\${rules[@]}"; do [[ "$r" == "$1" ]] && return 0; done; return 1; }
save() { if ((\${#rules[@]})); then printf '%s\\n' "\${rules[@]}" > "$f"; else : > "$f"; fi; }
case "$op" in
  -N) if has ":$chain"; then echo "iptables: Chain already exists." >&2; exit 1; fi; rules+=(":$chain"); save ;;
  -F)
    if ! has ":$chain"; then echo "iptables: No chain/target/match by that name." >&2; exit 1; fi
    keep=(); for r in "\${rules[@]}"; do [[ "$r" == "-A $chain "* ]] || keep+=("$r"); done
    rules=("\${keep[@]}"); save ;;
  -A) rules+=("-A $chain $*"); save ;;
  -I) [[ "$1" =~ ^[0-9]+$ ]] && shift; rules+=("-A $chain $*"); save ;;
  -C) has "-A $chain $*" || { echo "iptables: Bad rule (does a matching rule exist in that chain?)." >&2; exit 1; } ;;
  *) echo "fake iptables: unexpected: $op" >&2; exit 2 ;;
esac
`

const KIND = (state: string) => `#!/bin/bash
S='${state}'
printf '%s\\n' "kind $*" >> "$S/calls.log"
args=("$@"); name=kind; kubeconfig=""
for ((i = 0; i < \${#args[@]}; i++)); do
  [[ "\${args[i]}" == --name ]] && name="\${args[i+1]}"
  [[ "\${args[i]}" == --kubeconfig ]] && kubeconfig="\${args[i+1]}"
done
has_cluster() {
  [[ -e "$S/clusters" ]] || return 1
  while IFS= read -r l; do [[ "$l" == "$1" ]] && return 0; done < "$S/clusters"
  return 1
}
case "$1 $2" in
  "version "*) echo "kind v0.27.0 go1.23.6 linux/amd64" ;;
  "get clusters")
    if [[ -s "$S/clusters" ]]; then printf '%s\\n' "$(<"$S/clusters")"; else echo "No kind clusters found." >&2; fi ;;
  "create cluster")
    echo "Creating cluster \\"$name\\" ..." >&2
    if [[ -e "$S/create-error" ]]; then printf '%s\\n' "$(<"$S/create-error")" >&2; exit 1; fi
    echo " ✓ Ensuring node image (kindest/node:v1.32.2) 🖼" >&2
    echo " ✓ Preparing nodes 📦" >&2
    echo " ✓ Starting control-plane 🕹️" >&2
    echo " ✓ Waiting ≤ 1m0s for control-plane = Ready ⏳" >&2
    printf '%s\\n' "$name" >> "$S/clusters"
    if [[ -n "$kubeconfig" && -e "$S/kubeconfig" ]]; then printf '%s\\n' "$(<"$S/kubeconfig")" > "$kubeconfig"; fi
    echo "Set kubectl context to \\"kind-$name\\"" >&2 ;;
  "get kubeconfig")
    if ! has_cluster "$name"; then
      echo "ERROR: could not locate any control plane nodes for cluster named '$name'. Use the --name option to select a different cluster" >&2
      exit 1
    fi
    printf '%s\\n' "$(<"$S/kubeconfig")" ;;
  "delete cluster")
    echo "Deleting cluster \\"$name\\" ..." >&2
    keep=""
    if [[ -e "$S/clusters" ]]; then
      while IFS= read -r l; do [[ -n "$l" && "$l" != "$name" ]] && keep+="$l"$'\\n'; done < "$S/clusters"
    fi
    printf '%s' "$keep" > "$S/clusters" ;;
  "load docker-image")
    image="$3"; found=""
    if [[ -e "$S/images" ]]; then
      while IFS= read -r l; do [[ "$l" == "$image" ]] && found=1; done < "$S/images"
    fi
    if [[ -z "$found" ]]; then echo "ERROR: image: \\"$image\\" not present locally" >&2; exit 1; fi
    echo "Image: \\"$image\\" with ID \\"sha256:0123\\" not yet present on node \\"$name-control-plane\\", loading..." ;;
  *) echo "fake kind: unexpected: $*" >&2; exit 2 ;;
esac
`

export function fakeKindTools(o: FakeToolsOptions = {}): FakeKindTools {
  const root = mkdtempSync(join(tmpdir(), 'kecs-fake-kind-'))
  const bin = join(root, 'bin')
  const state = join(root, 'state')
  mkdirSync(bin)
  mkdirSync(state)
  const write = (name: string, text: string) => {
    writeFileSync(join(bin, name), text)
    chmodSync(join(bin, name), 0o755)
  }
  if (o.docker !== 'missing') write('docker', DOCKER(state))
  if (o.kind !== 'missing') write('kind', KIND(state))
  mkdirSync(join(state, 'node-bin'))
  writeFileSync(join(state, 'node-bin', 'iptables'), IPTABLES(state))
  chmodSync(join(state, 'node-bin', 'iptables'), 0o755)
  const set: FakeKindTools['set'] = (file, text) => {
    const p = join(state, file)
    if (text === undefined) rmSync(p, { force: true })
    else writeFileSync(p, text)
  }
  if (o.docker === 'down') set('docker-down', '')
  if (o.clusters?.length) set('clusters', o.clusters.join('\n') + '\n')
  if (o.createError !== undefined) set('create-error', o.createError)
  if (o.kubeconfig !== undefined) set('kubeconfig', o.kubeconfig)
  if (o.images) set('images', o.images.join('\n') + '\n')
  const env = { PATH: bin, HOME: root }
  const read = (f: string) => (existsSync(join(state, f)) ? readFileSync(join(state, f), 'utf8') : '')
  return {
    root,
    bin,
    state,
    env,
    calls: () => read('calls.log').split('\n').filter(Boolean),
    clusters: () => read('clusters').split('\n').filter(Boolean),
    natRules: () => read('iptables-nat').split('\n').filter(Boolean),
    resetCalls: () => rmSync(join(state, 'calls.log'), { force: true }),
    set,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}
