import MagicString from 'magic-string'
import type { FileFacts } from './scan/facts.js'

/** Code with its source map, as bundlers expect from a transform. */
export interface TransformOutput {
  code: string
  map: ReturnType<MagicString['generateMap']>
}

/**
 * Removes the given decorators (`@EntityBackup(...)`) from the code, keeping a source map.
 * Bundlers that do not lower TC39 decorators (vite 8) and Node 20 can then run the output.
 */
export function stripDecorators(code: string, id: string, facts: FileFacts, isTarget: (d: FileFacts['classes'][string]['decorators'][number]) => boolean): TransformOutput | null {
  const ranges = Object.values(facts.classes).flatMap((c) => c.decorators.filter(isTarget))
  if (ranges.length === 0) return null
  const s = new MagicString(code)
  for (const { start, end } of ranges) {
    // take the blanks after the decorator but keep its line break, so the class keeps its line numbers
    let stop = end
    while (stop < code.length && (code[stop] === ' ' || code[stop] === '\t')) stop++
    s.remove(start, stop)
  }
  return { code: s.toString(), map: s.generateMap({ source: id, includeContent: true, hires: 'boundary' }) }
}
