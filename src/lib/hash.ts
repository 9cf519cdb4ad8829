import { createHash } from 'node:crypto'

/** A short, stable hex digest: the suffix that keeps shortened or rewritten names unique. */
export function shortHash(input: string, length = 6): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length)
}

/** 32-bit FNV-1a over a string's UTF-8 bytes: small, stable, dependency-free. */
export function fnv1a32(input: string): number {
  let h = 0x811c9dc5
  for (const byte of Buffer.from(input, 'utf8')) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}
