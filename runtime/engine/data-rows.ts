import { Readable } from 'node:stream'
import chain from 'stream-chain'
import { parser } from 'stream-json'
import { streamArray } from 'stream-json/streamers/stream-array.js'
import type { EntityId } from '../adapters/data/types.js'
import { BackupError } from '../errors.js'
import type { RowChecker } from './row-checker.js'

// Reading the rows of a data file's decoded text: the one-row-per-line layout the engine writes (fast
// path, optionally with workers checking rows ahead), and any other JSON array (stream-json).

/** Largest row accepted when reading (a bigger line is refused before it can exhaust memory). */
export const MAX_ROW_BYTES = 64 * 1024 * 1024
/**
 * Deepest nesting of arrays and objects accepted in a row when reading. JSON.parse takes any depth,
 * but writing such a row back (JSON.stringify, in the serializer or a store) overflows the stack at
 * about 4000 levels, after earlier rows were written; so it is refused while validating.
 */
export const MAX_ROW_DEPTH = 1000

/** True when the JSON text nests arrays/objects deeper than `limit` (strings skipped). */
function textDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true
    } else if (c === 93 || c === 125) depth--
  }
  return false
}

/** True when a parsed value nests deeper than `limit` (iterative: any depth is safe to measure). */
function valueDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth + 1 > limit) return true
    for (const x of Object.values(v)) stack.push([x, depth + 1])
  }
  return false
}

function tooDeep(index: number, line?: number): BackupError {
  return new BackupError('DATA_CONFLICT', `row ${index}${line ? ` (line ${line})` : ''} nests arrays or objects deeper than ${MAX_ROW_DEPTH} levels; refusing to read it`, { row: index, ...(line ? { line } : {}) })
}

/** A stored row with where it was found. */
export interface RowAt {
  /** The parsed row; `undefined` when a checker vouched for the row (`checkedId`) and it was not parsed here. */
  value: unknown
  /** The JSON text `value` was parsed from, when the fast line reader read it (its line, without the comma). */
  text?: string
  /** 0-based row index. */
  index: number
  /** 1-based line in the decoded text. */
  line: number
  /** Set when a {@link RowChecker} found `text` to be the entity's canonical stored form: the row's id. */
  checkedId?: EntityId
}

/** The file is not in the one-row-per-line layout (or a row is not valid JSON there): read it generally. */
export class LayoutError extends Error {
  /** Where: `row`, `line`, and for a row that is not valid JSON the byte `offset` of its start in the decoded text (and `errorOffset` when the parser names a position). */
  constructor(message: string, readonly details: Record<string, number> = {}) {
    super(message)
  }
}

/** The rows of one decoded chunk of text, split into their lines but not parsed. */
export interface RowLines {
  /** Each row's JSON text (its line without the comma). */
  texts: string[]
  /** Index of the first row (row `i` is on line `i + 2`: line 1 is the `[`). */
  first: number
  /** The text the rows were cut from: row `i` is `source.slice(starts[i], ends[i])`. */
  source: string
  starts: Int32Array
  ends: Int32Array
  /** Byte offset, in the decoded text, of `source`'s first character (for errors). */
  base: number
}

/**
 * Splits the layout the engine writes (`[`, one row per line, commas at line ends, `]`) into rows, one
 * array per decoded chunk of text (one await per chunk, not per row: at a million rows the per-row
 * promise is a measurable share of a restore). Anything else throws `LayoutError`, so the caller can
 * fall back to the general streaming JSON parser for hand-edited files. Rows are not parsed here.
 */
export async function* rowLines(text: AsyncIterable<string>): AsyncGenerator<RowLines> {
  let pending = ''
  let line = 0
  let index = 0
  let state: 'start' | 'rows' | 'end' = 'start'
  let expectMore = false
  /** Byte offset, in the decoded text, of the start of `pending`. */
  let base = 0
  let texts: string[] = []
  let starts: number[] = []
  let ends: number[] = []
  /** One line of `pending`, from `at` to `end` (exclusive, before the newline). */
  const handle = (at: number, end: number): void => {
    line++
    if (end > at && pending.charCodeAt(end - 1) === 13) end--
    if (state === 'start') {
      if (pending.slice(at, end) !== '[') throw new LayoutError(`line ${line}: expected "["`)
      state = 'rows'
      return
    }
    if (state === 'end') {
      if (pending.slice(at, end).trim() !== '') throw new LayoutError(`line ${line}: text after the closing "]"`)
      return
    }
    if (end - at === 1 && pending.charCodeAt(at) === 93) {
      if (expectMore) throw new LayoutError(`line ${line}: "]" after a trailing comma`)
      state = 'end'
      return
    }
    if (index > 0 && !expectMore) throw new LayoutError(`line ${line}: a row without a comma before it`)
    const comma = end > at && pending.charCodeAt(end - 1) === 44
    const stop = comma ? end - 1 : end
    const row = pending.slice(at, stop)
    // only a line at least as long as the limit can nest that deep: short rows skip the scan
    if (row.length > MAX_ROW_DEPTH && textDeeperThan(row, MAX_ROW_DEPTH)) throw tooDeep(index, line)
    expectMore = comma
    texts.push(row)
    starts.push(at)
    ends.push(stop)
    index++
  }
  const take = (): RowLines | null => {
    if (texts.length === 0) return null
    const rows: RowLines = { texts, first: index - texts.length, source: pending, starts: Int32Array.from(starts), ends: Int32Array.from(ends), base }
    texts = []
    starts = []
    ends = []
    return rows
  }
  // pieces of a line longer than one chunk, joined once when it ends (appending each one to
  // `pending` and searching it again would copy and scan a long row once per chunk: quadratic)
  const parts: string[] = []
  let partsLength = 0
  const tooLong = () => new BackupError('DATA_CONFLICT', `row ${index} (line ${line + 1}) is longer than ${MAX_ROW_BYTES / 1024 / 1024} MiB; refusing to read it`, { row: index, line: line + 1 })
  for await (const chunk of text) {
    if (chunk.indexOf('\n') === -1) {
      parts.push(chunk)
      partsLength += chunk.length
      if (pending.length + partsLength > MAX_ROW_BYTES) throw tooLong()
      continue
    }
    // `pending` holds no newline: the search starts in what arrived since
    const from = pending.length + partsLength
    if (parts.length > 0) {
      pending += parts.join('')
      parts.length = 0
      partsLength = 0
    }
    pending += chunk
    let start = 0
    for (let nl = pending.indexOf('\n', from); nl !== -1; nl = pending.indexOf('\n', start)) {
      handle(start, nl)
      start = nl + 1
    }
    const rows = take()
    if (rows) yield rows
    if (start > 0) base += Buffer.byteLength(start === pending.length ? pending : pending.slice(0, start))
    pending = pending.slice(start)
    if (pending.length > MAX_ROW_BYTES) throw tooLong()
  }
  if (parts.length > 0) pending += parts.join('')
  if (pending !== '') {
    handle(0, pending.length)
    const rows = take()
    if (rows) yield rows
  }
  if ((state as string) !== 'end') throw new LayoutError('the closing "]" is missing')
}

/** Row `i` of `rows`, parsed; a row that is not valid JSON throws `LayoutError` naming its byte offset. */
export function parseRow(rows: RowLines, i: number): RowAt {
  const text = rows.texts[i]!
  const index = rows.first + i
  const line = index + 2
  try {
    return { value: JSON.parse(text), text, index, line }
  } catch (error) {
    const message = (error as Error).message
    const at = rows.starts[i]!
    const offset = rows.base + Buffer.byteLength(rows.source.slice(0, at))
    const position = /at position (\d+)/.exec(message)
    const errorOffset = position ? offset + Buffer.byteLength(text.slice(0, Number(position[1]))) : undefined
    const where = errorOffset === undefined ? `the row starts at byte ${offset}` : `at byte ${errorOffset}; the row starts at byte ${offset}`
    throw new LayoutError(`row ${index} (line ${line}) is not valid JSON (${message}) — ${where} of the decoded data`, { row: index, line, offset, ...(errorOffset === undefined ? {} : { errorOffset }) })
  }
}

/** The rows of the engine's layout (see `rowLines`), parsed with `JSON.parse`, one array per decoded chunk. */
export async function* fastRowBatches(text: AsyncIterable<string>): AsyncGenerator<RowAt[]> {
  for await (const rows of rowLines(text)) {
    const out = new Array<RowAt>(rows.texts.length)
    for (let i = 0; i < out.length; i++) out[i] = parseRow(rows, i)
    yield out
  }
}

/** Chunks of rows a checker works on ahead of the one being given out (about this many × 256 KiB of text held). */
const CHECK_AHEAD = 4

/** Characters of rows sent to the checker at a time: a string under V8's large-object size is young and freed cheaply. */
const CHECK_TEXT = 48 * 1024

/** The checker's verdict on every row of `rows` (`null` when it gave none), asked for in pieces of about `CHECK_TEXT` characters. */
async function checkRows(checker: RowChecker, rows: RowLines): Promise<Array<EntityId | null> | null> {
  // until a worker has started, this thread reads the rows itself rather than wait for it
  if (!checker.ready) return null
  const parts: Array<Promise<Array<EntityId | null> | null>> = []
  for (let first = 0; first < rows.texts.length;) {
    const from = rows.starts[first]!
    let last = first
    while (last + 1 < rows.texts.length && rows.ends[last + 1]! - from <= CHECK_TEXT) last++
    // one string per piece (one copy), the rows as offsets into it
    parts.push(checker.check(rows.source.slice(from, rows.ends[last]!), rows.starts.slice(first, last + 1).map((x) => x - from), rows.ends.slice(first, last + 1).map((x) => x - from)))
    first = last + 1
  }
  const verdicts = await Promise.all(parts)
  return verdicts.some((v) => v === null) ? null : verdicts.flat() as Array<EntityId | null>
}

/**
 * `fastRowBatches` with a worker checking rows ahead: a row the checker vouches for comes with its
 * `checkedId` and unparsed (`value` undefined); every other row is parsed here, as `fastRowBatches`
 * does. Rows and errors come in the same order as there.
 */
export async function* checkedRowBatches(text: AsyncIterable<string>, checker: RowChecker): AsyncGenerator<RowAt[]> {
  const lines = rowLines(text)
  const queue: Array<{ rows: RowLines; ids: Promise<Array<EntityId | null> | null> }> = []
  let ended = false
  let failure: { error: unknown } | null = null
  try {
    for (;;) {
      while (!ended && queue.length < CHECK_AHEAD) {
        let next: IteratorResult<RowLines>
        try {
          next = await lines.next()
        } catch (error) {
          // the rows before the error are given out first, as the line reader alone would
          failure = { error }
          ended = true
          break
        }
        if (next.done) ended = true
        else queue.push({ rows: next.value, ids: checkRows(checker, next.value) })
      }
      const head = queue.shift()
      if (!head) break
      const ids = await head.ids
      const { rows } = head
      const out = new Array<RowAt>(rows.texts.length)
      for (let i = 0; i < out.length; i++) {
        const id = ids?.[i]
        if (id === null || id === undefined) out[i] = parseRow(rows, i)
        else out[i] = { value: undefined, text: rows.texts[i], index: rows.first + i, line: rows.first + i + 2, checkedId: id }
      }
      yield out
    }
  } finally {
    await lines.return(undefined)
  }
  if (failure) throw failure.error
}

/** Reads any valid JSON array of rows with stream-json (hand-edited files); errors name the position. */
export async function* generalRows(text: AsyncIterable<string>): AsyncGenerator<RowAt> {
  const stream = chain([Readable.from(text), parser(), streamArray()])
  let index = 0
  try {
    for await (const item of stream as AsyncIterable<{ key: number; value: unknown }>) {
      if (valueDeeperThan(item.value, MAX_ROW_DEPTH)) throw tooDeep(index)
      yield { value: item.value, index: index++, line: 0 }
    }
  } catch (error) {
    if (error instanceof BackupError) throw error
    throw new BackupError('CORRUPT', `malformed JSON after row ${index}: ${(error as Error).message}`, { row: index })
  }
}
