/**
 * Fuzzes the quick declaration reader against TypeScript's syntax-tree reader, beyond what the test suite
 * runs: seeded mutants (one to three small edits) of the test corpus's snippets, ordinary files and
 * benchmark files, each read by both. Reports every source whose mutants the quick reader reads
 * differently (its answer must be `null` or TypeScript's facts, syntax errors aside), apart from files
 * whose only syntax errors are inside function bodies (TypeScript's recovery from those can change how it
 * reads the rest; the bundler reports them); and mutants it answers although TypeScript reports a syntax
 * error outside every function body (its recovery can place an error made inside a body after it: read
 * those by hand).
 *
 *   npx tsx scripts/fuzz-quick-reader.ts [seed=1] [mutants=20000]
 *
 * Exit code 1 when a difference was found.
 */
import { tsFacts } from '../plugin/core/scan/parse.js'
import { readQuick } from '../plugin/core/scan/quick/reader.js'
import { ORDINARY, SNIPPETS, benchFiles, errorsOutsideBodies, mutate } from '../test/plugin/quick-corpus.js'
import { seeded } from '../test/random.js'

const seed = Number(process.argv[2] ?? 1)
const count = Number(process.argv[3] ?? 20_000)
const random = seeded(seed)
const sources = [...SNIPPETS, ...ORDINARY, ...benchFiles().slice(0, 40)].filter((s) => s.text.length > 0)
/** JSON with `undefined` kept apart from a missing key. */
const json = (x: unknown): string => JSON.stringify(x, (_, v: unknown) => (v === undefined ? '__undefined' : v))

let answered = 0
let different = 0
let afterBodyErrors = 0
const reported = new Set<string>()
for (let n = 0; n < count; n++) {
  const source = sources[Math.floor(random() * sources.length)]!
  let text = mutate(source.text, random).text
  if (random() < 0.3) text = mutate(text, random).text
  if (random() < 0.1) text = mutate(text, random).text
  const file = /\.[mc]?ts$/.test(source.file) ? source.file : '/proj/src/x.ts'
  const quick = readQuick(file, text, 'h')
  if (!quick) continue
  answered++
  const reference = tsFacts(file, text, 'h')
  const errorsOutside = reference.syntaxErrors.length > 0 && errorsOutsideBodies(file, text).length > 0
  if (json(quick) !== json({ ...reference, syntaxErrors: [] })) {
    // a syntax error inside a body can throw TypeScript's own reading of what follows off (a template
    // substitution, say): the quick reader reads the declarations as written, the bundler reports the error
    const inBodyOnly = reference.syntaxErrors.length > 0 && !errorsOutside
    if (inBodyOnly) afterBodyErrors++
    else different++
    report(`${inBodyOnly ? 'different after a syntax error inside a body' : 'DIFFERENT'} (${source.name})`, text)
  } else if (errorsOutside) {
    report(`answered with an error outside the bodies (${source.name})`, text)
  }
}

/** Prints the first mutant of each kind of report and source. */
function report(what: string, text: string): void {
  if (reported.has(what)) return
  reported.add(what)
  console.log(`${what}: ${JSON.stringify(text)}`)
}
console.log(JSON.stringify({ seed, mutants: count, answered, different, afterBodyErrors }))
process.exitCode = different ? 1 : 0
