import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { FileFacts } from '../../plugin/core/scan/facts.js'
import { tsFacts } from '../../plugin/core/scan/parse.js'
import { readQuick } from '../../plugin/core/scan/quick/reader.js'
import { seeded } from '../random.js'
import { ORDINARY, SNIPPETS, SNIPPET_GROUPS, benchFiles, errorsOutsideBodies, mutate, type ErrorPlace, type Snippet, type SyntaxError } from './quick-corpus.js'

/*
 * The quick declaration reader's contract: `readQuick(file, text, hash)` answers `null` ("use TypeScript"),
 * or facts deep-equal to `tsFacts(file, text, hash)` except `syntaxErrors`, which it answers as `[]`. It must
 * answer `null` whenever TypeScript reports a syntax error outside function, method, accessor, constructor
 * and arrow bodies (inside them it may miss errors). `scripts/fuzz-quick-reader.ts` runs more mutants than
 * these tests (any seed, any count).
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const HASH = 'test-hash'

/** A facts reader with the signature of `quickFacts`. */
type Reader = (file: string, text: string, hash: string) => FileFacts | null


// -------------------------------------------------------------------------------------------------
// Comparing facts
// -------------------------------------------------------------------------------------------------

/** The records of the facts whose key order matters (they are iterated: `Object.values(facts.classes)`). */
const ORDERED_RECORDS = new Set(['$.imports', '$.localExports', '$.classes', '$.types', '$.consts', '$.enums'])
const isOrderedRecord = (path: string): boolean => ORDERED_RECORDS.has(path) || /^\$\.enums(\.[\w$]+|\[[^\]]*\])$/.test(path)

/** A value, short, for a failure message (strings as JSON, so `\r` and `\u2028` show). */
function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : Object.is(value, -0) ? '-0' : JSON.stringify(value)
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

const keyPath = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`)

/**
 * The first place where `actual` differs from `expected`, as a path with both values; `null` when they are
 * deep-equal. Numbers compare with `Object.is` (`-0` is not `0`); a key holding `undefined` equals a missing
 * key (as with `toEqual`, and as after the JSON facts cache); the key order of the facts' records counts.
 */
export function firstDifference(expected: unknown, actual: unknown, path = '$'): string | null {
  if (Object.is(expected, actual)) return null
  const bothObjects = typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null
  if (!bothObjects || Array.isArray(expected) !== Array.isArray(actual)) return `${path}: expected ${show(expected)}, got ${show(actual)}`
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`)
      if (d) return d
    }
    if (expected.length !== actual.length) {
      const extra = expected.length > actual.length ? `missing ${show(expected[actual.length])}` : `extra ${show(actual[expected.length])}`
      return `${path}: expected ${expected.length} items, got ${actual.length} (${extra})`
    }
    return null
  }
  const e = expected as Record<string, unknown>
  const a = actual as Record<string, unknown>
  const defined = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined)
  const eKeys = defined(e)
  const aKeys = defined(a)
  const missing = eKeys.filter((k) => !aKeys.includes(k))
  if (missing.length) return `${keyPath(path, missing[0]!)}: missing (expected ${show(e[missing[0]!])})`
  const extra = aKeys.filter((k) => !eKeys.includes(k))
  if (extra.length) return `${keyPath(path, extra[0]!)}: unexpected ${show(a[extra[0]!])}`
  for (const k of eKeys) {
    const d = firstDifference(e[k], a[k], keyPath(path, k))
    if (d) return d
  }
  if (isOrderedRecord(path) && eKeys.join('\0') !== aKeys.join('\0')) {
    return `${path}: keys in order ${show(eKeys)} expected, got ${show(aKeys)}`
  }
  return null
}

/** Where TypeScript reports syntax errors in a text: nowhere, only inside bodies, or (also) outside them. */
function errorPlace(file: string, text: string): ErrorPlace {
  if (tsFacts(file, text, HASH).syntaxErrors.length === 0) return 'none'
  return errorsOutsideBodies(file, text).length ? 'outside' : 'bodies'
}

// -------------------------------------------------------------------------------------------------
// Judging one answer
// -------------------------------------------------------------------------------------------------

/** What the reader answered for one text, measured against TypeScript. */
interface Verdict {
  answered: boolean
  /** Why the answer breaks the contract whatever TypeScript's errors (facts differ, errors answered); null if fine. */
  mismatch: string | null
  /** TypeScript's syntax errors outside bodies when the reader answered (the answer should have been `null`). */
  outside: SyntaxError[]
}

/** Runs `reader` on one text and compares its answer with `tsFacts` (TypeScript runs only when it answers). */
function judge(reader: Reader, file: string, text: string): Verdict {
  const quick = reader(file, text, HASH)
  if (quick === null) return { answered: false, mismatch: null, outside: [] }
  const reference = tsFacts(file, text, HASH)
  const outside = reference.syntaxErrors.length ? errorsOutsideBodies(file, text) : []
  if (quick.syntaxErrors.length) return { answered: true, mismatch: `answered syntaxErrors ${show(quick.syntaxErrors)} (must be [])`, outside }
  const mismatch = firstDifference({ ...reference, syntaxErrors: [] }, { ...quick, syntaxErrors: [] })
  return { answered: true, mismatch, outside }
}

/** The contract's complaint about a verdict, or null. */
function complaint(v: Verdict): string | null {
  if (v.mismatch) return v.mismatch
  if (v.outside.length) {
    const e = v.outside[0]!
    return `answered although TypeScript reports "${e.message}" at ${e.pos.line}:${e.pos.column}, outside any body (must be null)`
  }
  return null
}

/** Fails with every problem listed (name, then what is wrong), or passes when there is none. */
function expectNoProblems(what: string, problems: string[]): void {
  if (problems.length === 0) return
  const shown = problems.slice(0, 60).map((p) => `  - ${p}`).join('\n')
  const more = problems.length > 60 ? `\n  ... and ${problems.length - 60} more` : ''
  expect.fail(`${problems.length} ${what}:\n${shown}${more}`)
}

/** Judges snippets with the contract; returns the problems and how many the reader answered. */
function judgeAll(reader: Reader, snippets: Snippet[], mustAnswer: boolean): { problems: string[]; answered: number } {
  const problems: string[] = []
  let answered = 0
  for (const s of snippets) {
    const v = judge(reader, s.file, s.text)
    if (v.answered) answered++
    const why = complaint(v) ?? (mustAnswer && !v.answered ? 'gave up (null), but must answer' : null)
    if (why) problems.push(`${s.name} (${s.file}): ${why}\n      text: ${show(s.text)}`)
  }
  return { problems, answered }
}

/** The reference read as a quick reader would answer it: TypeScript's facts with `syntaxErrors: []`. */
const echoReader: Reader = (file, text, hash) => ({ ...tsFacts(file, text, hash), syntaxErrors: [] })

// -------------------------------------------------------------------------------------------------
// Inputs
// -------------------------------------------------------------------------------------------------

const SCANNED_DIRS = ['plugin', 'runtime', 'test', 'playground', 'scripts', 'bench']
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git'])

/** The repository's `.ts`, `.mts` and `.cts` files (not `.d.ts`), without `node_modules`, `dist` and `.tmp*` folders. */
function repositoryFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.tmp')) walk(path)
      } else if (entry.isFile() && /\.[mc]?ts$/.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name)) {
        out.push(path)
      }
    }
  }
  for (const dir of SCANNED_DIRS) walk(join(REPO, dir))
  return out.sort()
}

const MUTATION_SEED = 20240611
const MUTANTS_PER_SOURCE = 6
const DOUBLE_MUTANTS_PER_SOURCE = 2

/** A mutant with where it came from, so a failure can be reproduced. */
interface MutantCase {
  label: string
  file: string
  text: string
}

let mutantCache: MutantCase[] | null = null

/** Deterministic mutants of the snippets, the ordinary files and some benchmark files (one and two edits each). */
function mutants(): MutantCase[] {
  if (mutantCache) return mutantCache
  const random = seeded(MUTATION_SEED)
  const sources = [...SNIPPETS, ...ORDINARY, ...benchFiles().filter((_, i) => i % 6 === 0)].filter((s) => s.text.length > 0)
  const out: MutantCase[] = []
  for (const s of sources) {
    for (let i = 0; i < MUTANTS_PER_SOURCE + DOUBLE_MUTANTS_PER_SOURCE; i++) {
      const first = mutate(s.text, random)
      const m = i < MUTANTS_PER_SOURCE ? first : mutate(first.text, random)
      out.push({ label: `${s.name} #${i} (${i < MUTANTS_PER_SOURCE ? first.kind : `${first.kind}+${m.kind}`})`, file: s.file, text: m.text })
    }
  }
  return (mutantCache = out)
}

let mutantVerdictCache: Array<{ m: MutantCase; v: Verdict }> | null = null

/** The reader's verdict on every mutant (computed once for the two mutant tests). */
function mutantVerdicts(): Array<{ m: MutantCase; v: Verdict }> {
  return (mutantVerdictCache ??= mutants().map((m) => ({ m, v: judge(readQuick, m.file, m.text) })))
}

const mutantProblem = (m: MutantCase, why: string): string => `${m.label} in ${m.file}: ${why}\n      text: ${JSON.stringify(m.text)}`

// -------------------------------------------------------------------------------------------------
// Tests
// -------------------------------------------------------------------------------------------------

describe('quick declaration reader: test harness', () => {
  it('the corpus is what it claims: TypeScript reports errors only where a snippet says', () => {
    const problems: string[] = []
    for (const s of [...SNIPPETS, ...ORDINARY, ...benchFiles()]) {
      const place = errorPlace(s.file, s.text)
      if (place !== s.errors) problems.push(`${s.name}: TypeScript reports errors ${place}, the corpus says ${s.errors}`)
    }
    expectNoProblems('snippets whose syntax-error annotation is wrong', problems)
    expect(SNIPPETS.length).toBeGreaterThanOrEqual(150)
    expect(ORDINARY.length).toBeGreaterThanOrEqual(40)
    // the ordinary files the reader must answer for hold no syntax error at all
    expect(ORDINARY.filter((s) => s.errors !== 'none').map((s) => s.name)).toEqual([])
  })

  it("accepts TypeScript's own facts and names the first difference of a wrong answer", () => {
    const clean = [...SNIPPETS, ...ORDINARY].filter((s) => s.errors !== 'outside')
    expectNoProblems('mismatches of the echo reader', judgeAll(echoReader, clean, true).problems)

    const text = 'export class A {\n  x: string = \'\'\n}\n'
    const shifted: Reader = (file, t, hash) => {
      const facts = echoReader(file, t, hash)!
      facts.classes.A!.members[0]!.pos.column += 1
      return facts
    }
    expect(judge(shifted, '/p/a.ts', text).mismatch).toBe('$.classes.A.members[0].pos.column: expected 3, got 4')
    const withErrors: Reader = (file, t, hash) => tsFacts(file, t, hash)
    expect(complaint(judge(withErrors, '/p/a.ts', 'export const a = 1 +\n'))).toMatch(/syntaxErrors/)
    expect(complaint(judge(echoReader, '/p/a.ts', 'export const a = 1 +\n'))).toMatch(/outside any body/)
    expect(complaint(judge(echoReader, '/p/a.ts', 'export function f() { return 1 + }\n'))).toBeNull()
    const reordered: Reader = (file, t, hash) => {
      const facts = echoReader(file, t, hash)!
      facts.consts = { b: facts.consts.b!, a: facts.consts.a! }
      return facts
    }
    expect(judge(reordered, '/p/a.ts', 'const a = 1\nconst b = 2\n').mismatch).toMatch(/^\$\.consts: keys in order/)
    expect(firstDifference({ k: 'lit', v: undefined }, { k: 'lit' })).toBeNull()
    expect(firstDifference({ v: 0 }, { v: -0 })).toBe('$.v: expected 0, got -0')
  })
})

describe('quick declaration reader', () => {
  it('repository files: null or the facts TypeScript reads', () => {
    const files = repositoryFiles()
    expect(files.length).toBeGreaterThan(100)
    const problems: string[] = []
    let answered = 0
    for (const path of files) {
      const text = readFileSync(path, 'utf8')
      const v = judge(readQuick, path, text)
      if (!v.answered) continue
      answered++
      const errors = tsFacts(path, text, HASH).syntaxErrors
      const why = complaint(v) ?? (errors.length ? `answered, but TypeScript reports ${show(errors)}` : null)
      if (why) problems.push(`${relative(REPO, path)}: ${why}`)
    }
    console.log(`quick reader: answered ${answered} of ${files.length} repository files, gave up on ${files.length - answered}`)
    expectNoProblems('repository files read differently from TypeScript', problems)
  })

  it("answers for the benchmark's generated files", () => {
    const files = benchFiles()
    const { problems, answered } = judgeAll(readQuick, files, true)
    console.log(`quick reader: answered ${answered} of ${files.length} benchmark files`)
    expectNoProblems('benchmark files not answered as TypeScript reads them', problems)
  })

  describe('tricky snippets: null or the facts TypeScript reads', () => {
    for (const [group, snippets] of Object.entries(SNIPPET_GROUPS)) {
      it(group, () => {
        const { problems, answered } = judgeAll(readQuick, snippets, false)
        console.log(`quick reader: answered ${answered} of ${snippets.length} snippets (${group})`)
        expectNoProblems(`${group} snippets read differently from TypeScript`, problems)
      })
    }
  })

  it('answers for ordinary declaration files', () => {
    const { problems, answered } = judgeAll(readQuick, ORDINARY, true)
    console.log(`quick reader: answered ${answered} of ${ORDINARY.length} ordinary files`)
    expectNoProblems('ordinary files not answered as TypeScript reads them', problems)
  })

  describe('mutants (seeded small edits of the snippets)', () => {
    it('null or the facts TypeScript reads (syntax errors aside)', () => {
      const verdicts = mutantVerdicts()
      const answered = verdicts.filter(({ v }) => v.answered).length
      console.log(`quick reader: answered ${answered} of ${verdicts.length} mutants (seed ${MUTATION_SEED})`)
      expectNoProblems('mutants read differently from TypeScript', verdicts.filter(({ v }) => v.mismatch).map(({ m, v }) => mutantProblem(m, v.mismatch!)))
    })

    it('null where TypeScript reports a syntax error outside bodies', () => {
      const wrong = mutantVerdicts().filter(({ v }) => !v.mismatch && v.outside.length)
      expectNoProblems('mutants answered despite a syntax error outside bodies', wrong.map(({ m, v }) => mutantProblem(m, complaint(v)!)))
    })
  })
})

describe('quick declaration reader: large files', () => {
  it('reads a file of 200,000 tokens (the token arrays grow, then shrink back) and the next small file alike', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `export const c${i} = { a: ${i}, b: 'x' }`).join('\n')
    const facts = readQuick('/proj/src/big.ts', big, HASH)
    expect(facts).not.toBeNull()
    expect(Object.keys(facts!.consts)).toHaveLength(20_000)
    expect(facts!.consts.c19999).toMatchObject({ k: 'obj', pos: { line: 20_000, column: 23 } })
    expect(firstDifference({ ...tsFacts('/proj/src/big.ts', big, HASH), syntaxErrors: [] }, facts)).toBeNull()
    const small = "export class A { x = 1 }\n"
    expect(readQuick('/proj/src/a.ts', small, HASH)).toEqual({ ...tsFacts('/proj/src/a.ts', small, HASH), syntaxErrors: [] })
  })

  it('reads a file denser than the arrays are sized for (a token per character): they grow while it is read', () => {
    // the arrays are sized for one token per three characters: `1,1,1…` has one per character
    const dense = `export const ones = [${Array.from({ length: 30_000 }, () => '1').join(',')}]\nexport class A { x = 1 }\n`
    const facts = readQuick('/proj/src/dense.ts', dense, HASH)
    expect(facts).not.toBeNull()
    expect(facts!.classes.A).toBeDefined()
    expect(firstDifference({ ...tsFacts('/proj/src/dense.ts', dense, HASH), syntaxErrors: [] }, facts)).toBeNull()
  })
})
