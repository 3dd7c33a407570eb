/** Code with no source map change: every character keeps its line and column. */
export interface TransformOutput {
  code: string
  /** `null`: the code was not moved, so existing source maps stay valid (Rollup's documented convention). */
  map: null
}

/** A range of a file's text, `[start, end)`. */
export type Range = [number, number]

/**
 * Applies a file's edits so that nothing moves (no source map is needed): blanks out each range of
 * `blank` (the `@EntityBackup(...)` decorators, which vite 8 does not lower and Node 20 cannot run)
 * with spaces, keeping line breaks, and writes `text` over each range of `replace` (same length).
 * `null` when there is nothing to change.
 */
export function editCode(code: string, blank: Range[], replace: Range[] = [], text = ''): TransformOutput | null {
  const edits = [...blank.map((r) => ({ r, over: null as string | null })), ...replace.map((r) => ({ r, over: text }))].sort((a, b) => a.r[0] - b.r[0])
  if (edits.length === 0) return null
  let out = ''
  let last = 0
  for (const { r: [start, end], over } of edits) {
    const was = code.slice(start, end)
    if (over !== null && over.length !== was.length) throw new Error(`koan-backup: an edit of ${was.length} characters cannot take ${over.length}`)
    out += code.slice(last, start) + (over ?? (/[\r\n]/.test(was) ? was.replace(/[^\r\n]/g, ' ') : ' '.repeat(was.length)))
    last = end
  }
  return { code: out + code.slice(last), map: null }
}
