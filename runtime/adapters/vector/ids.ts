import type { EntityId } from '../data/types.js'

/**
 * The stored form of an id in a vector table: a string whose code point (UTF-8 byte) order is the
 * order of `compareIds`, so `ORDER BY id` and `id > ?` in SQL, Arrow and SQLite give the stream
 * order, and which decodes to the exact id with its type:
 *
 * - a string `s` is `s:` + `s` (readable as it is);
 * - a number is `n:` + 16 lower-case hex digits of its float64 bits, sign-flipped so that byte
 *   order is numeric order (`-0` is `0`, as it is for Map keys and `compareIds`).
 *
 * `n:` sorts before `s:`, so numbers come first, as `compareIds` puts them. JSON (`1` vs `"1"`)
 * would keep the type too, but not the order (`10` < `9`, escapes move `"` and `\`).
 */
export function idKey(id: EntityId): string {
  if (typeof id === 'string') return `s:${id}`
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, id === 0 ? 0 : id)
  let hi = view.getUint32(0)
  let lo = view.getUint32(4)
  // negative numbers: all bits flipped (larger magnitude sorts first); others: the sign bit set
  if (hi & 0x80000000) {
    hi = ~hi >>> 0
    lo = ~lo >>> 0
  } else {
    hi = (hi | 0x80000000) >>> 0
  }
  return `n:${hex8(hi)}${hex8(lo)}`
}

/** The id a key of {@link idKey} stands for; throws on a key no id encodes to. */
export function idFromKey(key: string): EntityId {
  if (key.startsWith('s:')) return key.slice(2)
  if (!/^n:[0-9a-f]{16}$/.test(key)) throw new Error(`not a vector id key: ${JSON.stringify(key)}`)
  let hi = Number.parseInt(key.slice(2, 10), 16)
  let lo = Number.parseInt(key.slice(10, 18), 16)
  if (hi & 0x80000000) {
    hi = (hi & 0x7fffffff) >>> 0
  } else {
    hi = ~hi >>> 0
    lo = ~lo >>> 0
  }
  const view = new DataView(new ArrayBuffer(8))
  view.setUint32(0, hi)
  view.setUint32(4, lo)
  return view.getFloat64(0)
}

/** An id as messages show it: strings quoted, numbers as they are. */
export function showId(id: unknown): string {
  return typeof id === 'string' ? JSON.stringify(id) : typeof id === 'number' ? String(id) : `(${typeof id} ${String(id)})`
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0')
}
