// Summarizes a .heapsnapshot: self size and count per constructor, plain objects grouped by their first
// property names (so a pod, a container status and a task doc show up apart), strings by length class.
//   node --max-old-space-size=4096 scripts/heap-summary.mjs file.heapsnapshot [top]
import { readFileSync } from 'node:fs'

const snap = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const top = Number(process.argv[3] ?? 40)
const { node_fields: nf, edge_fields: ef, node_types: [nodeTypes], edge_types: [edgeTypes] } = snap.snapshot.meta
const N = nf.length
const E = ef.length
const { nodes, edges, strings } = snap
const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iSize = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count')
const eType = ef.indexOf('type'), eName = ef.indexOf('name_or_index'), eTo = ef.indexOf('to_node')
const groups = new Map()
const add = (k, size) => {
  const g = groups.get(k) ?? { n: 0, bytes: 0 }
  g.n++
  g.bytes += size
  groups.set(k, g)
}
let e = 0
let total = 0
for (let i = 0; i < nodes.length; i += N) {
  const type = nodeTypes[nodes[i + iType]]
  const size = nodes[i + iSize]
  const count = nodes[i + iEdges]
  total += size
  let key
  if (type === 'object') {
    const props = []
    for (let j = 0; j < count && props.length < 4; j++) {
      const at = e + j * E
      if (edgeTypes[edges[at + eType]] === 'property') props.push(strings[edges[at + eName]])
    }
    key = `${strings[nodes[i + iName]]} {${props.join(',')}}`
  } else if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
    key = `(string ${size < 64 ? '<64' : size < 1024 ? '<1k' : size < 65536 ? '<64k' : '>=64k'})`
  } else key = `(${type}) ${type === 'code' || type === 'hidden' || type === 'array' ? strings[nodes[i + iName]].slice(0, 40) : ''}`
  add(key, size)
  e += count * E
}
console.log(`total self size ${(total / 1048576).toFixed(1)} MB in ${(nodes.length / N).toLocaleString()} nodes`)
for (const [k, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  console.log(`${(g.bytes / 1048576).toFixed(1).padStart(8)} MB ${String(g.n).padStart(9)}  ${k}`)
}
