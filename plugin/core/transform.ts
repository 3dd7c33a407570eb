import type { DecoratorFacts, FileFacts } from './scan/facts.js'

/** Code with no source map change: every character keeps its line and column. */
export interface TransformOutput {
  code: string
  /** `null`: the code was not moved, so existing source maps stay valid (Rollup's documented convention). */
  map: null
}

/**
 * Blanks out the given decorators (`@EntityBackup(...)`) with spaces, keeping line breaks, so nothing
 * moves: no source map is needed, and bundlers that do not lower TC39 decorators (vite 8) and
 * Node 20 can run the output.
 */
export function stripDecorators(code: string, facts: FileFacts, isTarget: (d: DecoratorFacts) => boolean): TransformOutput | null {
  const ranges: DecoratorFacts[] = []
  for (const cls of Object.values(facts.classes)) for (const d of cls.decorators) if (isTarget(d)) ranges.push(d)
  if (ranges.length === 0) return null
  ranges.sort((a, b) => a.start - b.start)
  let out = ''
  let last = 0
  for (const { start, end } of ranges) {
    out += code.slice(last, start) + code.slice(start, end).replace(/[^\r\n]/g, ' ')
    last = end
  }
  return { code: out + code.slice(last), map: null }
}
