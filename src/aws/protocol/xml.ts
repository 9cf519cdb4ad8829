import type { CompiledService } from './compiled.js'
import { epochSeconds, isoTimestamp, isRecord } from './json-output.js'

/**
 * Model-shaped values as the query protocol's XML: structure members as elements (their
 * `locationName` where the model gives one), lists as `<member>` items (or repeated elements when
 * flattened), maps as `<entry><key/><value/></entry>`, timestamps ISO-8601, booleans `true`/`false`,
 * blobs base64. Only the shape's members are written; values of the wrong kind are left out.
 */
export function escapeXml(text: string, attribute = false): string {
  // Control characters XML 1.0 cannot carry at all are dropped rather than breaking the document.
  return text.replace(attribute ? /[&<>"]/g : /[&<>]/g, (c) => ESC[c]!).replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, '')
}
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }

/** The members of a structure, without its own element (the result wrapper holds them). */
export function xmlMembers(svc: CompiledService, shapeName: string, value: unknown): string {
  const s = svc.shape(shapeName)
  if (!isRecord(value)) return ''
  let out = ''
  for (const [name, ref] of Object.entries(s.members ?? {})) {
    if (Object.hasOwn(value, name)) out += xmlValue(svc, ref.shape, value[name], ref.locationName ?? name)
  }
  return out
}

export function xmlValue(svc: CompiledService, shapeName: string, value: unknown, tag: string): string {
  if (value === null || value === undefined) return ''
  const s = svc.shape(shapeName)
  switch (s.type) {
    case 'structure':
      return isRecord(value) ? `<${tag}>${xmlMembers(svc, shapeName, value)}</${tag}>` : ''
    case 'list': {
      if (!Array.isArray(value)) return ''
      const itemTag = s.member!.locationName ?? (s.flattened ? tag : 'member')
      const items = value.map((v) => xmlValue(svc, s.member!.shape, v, itemTag)).join('')
      return s.flattened ? items : `<${tag}>${items}</${tag}>`
    }
    case 'map': {
      if (!isRecord(value)) return ''
      const k = s.key!.locationName ?? 'key'
      const v = s.value!.locationName ?? 'value'
      const entries = Object.keys(value).map((key) => {
        const inner = `<${k}>${escapeXml(key)}</${k}>${xmlValue(svc, s.value!.shape, value[key], v)}`
        return s.flattened ? `<${tag}>${inner}</${tag}>` : `<entry>${inner}</entry>`
      })
      return s.flattened ? entries.join('') : `<${tag}>${entries.join('')}</${tag}>`
    }
    case 'timestamp': {
      const seconds = epochSeconds(value)
      if (seconds === undefined) return ''
      return `<${tag}>${s.timestampFormat === 'unixTimestamp' ? seconds : isoTimestamp(seconds)}</${tag}>`
    }
    case 'blob':
      if (value instanceof Uint8Array) return `<${tag}>${Buffer.from(value).toString('base64')}</${tag}>`
      return typeof value === 'string' ? `<${tag}>${escapeXml(value)}</${tag}>` : ''
    case 'string':
      return typeof value === 'string' ? `<${tag}>${escapeXml(value)}</${tag}>` : ''
    case 'boolean':
      return typeof value === 'boolean' ? `<${tag}>${value}</${tag}>` : ''
    default:
      return typeof value === 'number' && Number.isFinite(value) ? `<${tag}>${value}</${tag}>` : ''
  }
}
