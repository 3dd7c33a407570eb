/** The quick reader's tokens: kinds, flags, and the arrays that hold a file's tokens (shared between files). */

/** Token kinds. */
export const IDENT = 0
export const PUNCT = 1
export const STRING = 2
export const TEMPLATE = 3 // no substitutions
export const HEAD = 4 // `…${
export const MIDDLE = 5 // }…${
export const TAIL = 6 // }…`
export const NUMBER = 7
export const BIGINT = 8
export const REGEX = 9
export const PRIVATE = 10 // #name
export const EOF = 11

/**
 * A file's tokens, as parallel arrays (index = token number; `count` of them are in use). The arrays
 * are reused by the next file tokenized: the tokens of a file are read before the next one is.
 */
export interface Tokens {
  count: number
  kind: Uint8Array
  start: Int32Array
  end: Int32Array
  /** Identifier and punctuator text ('' for the others). */
  val: string[]
  /** `NL`, `ESCAPED` and `NAME` below. */
  flags: Uint8Array
  /** The matching bracket's token (`(` ↔ `)`, `[` ↔ `]`, `{` ↔ `}`, a template head or middle → the next part); -1 otherwise. */
  match: Int32Array
  /** The 0-based line each token starts on, and where each line starts. */
  line: Int32Array
  lineStarts: number[]
}

/** Token flags: preceded by a line break; a string or template literal with a backslash (its value needs cooking). */
export const NL = 1
export const ESCAPED = 2
/** An identifier that can name a binding or a type (not a reserved word). */
export const NAME = 4

/** Token arrays of `size` entries. */
function allocate(size: number): Tokens {
  return {
    count: 0, kind: new Uint8Array(size), start: new Int32Array(size), end: new Int32Array(size), val: new Array<string>(size).fill(''),
    flags: new Uint8Array(size), match: new Int32Array(size), line: new Int32Array(size), lineStarts: [],
  }
}

const INITIAL_TOKENS = 4096
// One allocation before the shared one, so that V8 sees the token arrays' fields hold more than one
// object before it optimises the reader. Otherwise the first file too large for the shared arrays
// (a file of ~1000 imports, say) widens those fields' types, and V8 throws away the optimised code of
// every function that reads tokens (about 40 of them): the next files run unoptimised until it is
// rebuilt, and rebuilding costs ~300 ms of compile time on another core. Seen with
// `node --trace-deopt --trace-generalization`.
allocate(1)
/** The shared token arrays, replaced by larger ones as a file needs. */
let shared = allocate(INITIAL_TOKENS)

/**
 * The token arrays a file of `chars` characters is read into, with room for `chars / 3` tokens (code
 * has 4 to 10 characters per token), so that a file rarely makes them grow while it is read (growing
 * copies every token read so far, and replaces the arrays the tokenizer holds).
 */
export function sharedTokens(chars: number): Tokens {
  const room = Math.ceil(chars / 3) + 1
  if (shared.kind.length < room) shared = allocate(2 ** Math.ceil(Math.log2(room)))
  return shared
}

/** Lets go of token arrays a large file made grow (they would hold its memory until the next file). */
export function releaseTokens(): void {
  if (shared.kind.length > 16 * INITIAL_TOKENS) shared = allocate(INITIAL_TOKENS)
}

/** Arrays twice as large holding the tokens so far (they become the shared ones). */
export function grow(t: Tokens): Tokens {
  const bigger = allocate(t.kind.length * 2)
  bigger.kind.set(t.kind)
  bigger.start.set(t.start)
  bigger.end.set(t.end)
  bigger.flags.set(t.flags)
  bigger.match.set(t.match)
  bigger.line.set(t.line)
  for (let i = 0; i < t.count; i++) bigger.val[i] = t.val[i]!
  bigger.count = t.count
  bigger.lineStarts = t.lineStarts
  shared = bigger
  return bigger
}
