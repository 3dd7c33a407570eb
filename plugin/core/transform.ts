/** Code with no source map change: every character keeps its line and column. */
export interface TransformOutput {
  code: string
  /** `null`: the code was not moved, so existing source maps stay valid (Rollup's documented convention). */
  map: null
}

/** A range of a file's text, `[start, end)`. */
export type Range = [number, number]

/**
 * Blanks out the given ranges (the `@EntityBackup(...)` decorators) with spaces, keeping line
 * breaks, so nothing moves: no source map is needed, and bundlers that do not lower TC39
 * decorators (vite 8) and Node 20 can run the output.
 */
export function blankRanges(code: string, ranges: Range[]): TransformOutput | null {
  if (ranges.length === 0) return null
  let out = ''
  let last = 0
  for (const [start, end] of ranges) {
    const text = code.slice(start, end)
    out += code.slice(last, start) + (/[\r\n]/.test(text) ? text.replace(/[^\r\n]/g, ' ') : ' '.repeat(text.length))
    last = end
  }
  return { code: out + code.slice(last), map: null }
}
