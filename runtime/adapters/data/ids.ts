import type { EntityId } from './types.js'

/**
 * The order every store streams in: numbers before strings, numbers ascending, strings by Unicode
 * code point — what SQLite's BINARY collation and PostgreSQL's `"C"` collation give on UTF-8, so a
 * backup of the same rows lists them in the same order whatever the store.
 */
export function compareIds(a: EntityId, b: EntityId): number {
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a !== 'number') return 1
    if (typeof b !== 'number') return -1
    return a < b ? -1 : a > b ? 1 : 0
  }
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// UTF-16 puts surrogates (astral code points) below U+E000–U+FFFF; code point order puts them above
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800
}
