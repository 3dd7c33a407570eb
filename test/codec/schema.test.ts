import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalModel, diffSchemas } from '../../runtime/schema/index.js'
import { CanonicalModels, collationOrder } from '../../runtime/schema/canonical.js'
import type { FieldType, ShapeInfo } from '../../runtime/types.js'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fixture, scanFixture } from '../helpers.js'
import { loadRegistry } from './load.js'
import { resolveOptions } from '../../plugin/core/options.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'

const tmp: string[] = []
afterEach(() => { for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true }) })

function copy(name: string): string {
  const dir = mkdtempSync(join(fixture('..'), '.tmp-schema-'))
  tmp.push(dir)
  cpSync(fixture(name), dir, { recursive: true })
  return dir
}

const scan = (root: string) => new Scanner(resolveOptions({ root, dts: false })).scan()
const fingerprints = (r: ReturnType<typeof scan>) => Object.fromEntries(r.entities.filter((e) => e.fingerprint).map((e) => [e.name, e.fingerprint]))

describe('fingerprint', () => {
  it('is stable across runs, file order and field order', () => {
    const first = fingerprints(scanFixture('codec'))
    expect(fingerprints(scanFixture('codec'))).toEqual(first)
    const root = copy('codec')
    // files listed in the opposite order
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'ESNext', moduleResolution: 'Bundler' }, files: ['src/types.ts', 'src/entities.ts'].reverse() }))
    expect(fingerprints(scan(root))).toEqual(first)
    // fields declared in another order
    const file = join(root, 'src/entities.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace("  id = ''\n  name = ''\n", "  name = ''\n  id = ''\n"))
    expect(fingerprints(scan(root))).toEqual(first)
  })

  it("changes when a field's type changes, and only for the entities that hold it", () => {
    const first = fingerprints(scanFixture('codec'))
    const root = copy('codec')
    const file = join(root, 'src/entities.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace("  views = 0\n", "  views = ''\n"))
    const after = fingerprints(scan(root))
    expect(after.Media).not.toBe(first.Media)
    expect(after.Sample).toBe(first.Sample)
    // Person is embedded in Sample: changing it changes both
    writeFileSync(file, readFileSync(file, 'utf8').replace('email: string | null = null', 'email: string | null | undefined'))
    const again = fingerprints(scan(root))
    expect(again.Person).not.toBe(first.Person)
    expect(again.Sample).not.toBe(first.Sample)
  })
})

describe('canonical models of shapes that refer to each other', () => {
  it('an instance given a map of shapes does not change it when shapes are added', () => {
    const mine = new Map<string, ShapeInfo>([['f.ts#A', { id: 'f.ts#A', name: 'A', isClass: true, fields: [{ name: 'n', optional: false, nullable: false, type: { kind: 'number' } }] }]])
    const models = new CanonicalModels(mine).add(new Map([['f.ts#B', { id: 'f.ts#B', name: 'B', isClass: true, fields: [] }]]))
    expect([...mine.keys()]).toEqual(['f.ts#A'])
    expect(models.fields('f.ts#B')).toEqual([])
    expect(models.fields('f.ts#A')).toEqual([{ name: 'n', optional: false, nullable: false, type: { kind: 'number' } }])
  })

  it('are the same whatever was expanded before (one instance for many shapes equals a fresh one per shape)', () => {
    let seed = 3
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let round = 0; round < 400; round++) {
      const n = 2 + Math.floor(next() * 5)
      const ids = Array.from({ length: n }, (_, i) => `f.ts#S${i}`)
      const ref = (): FieldType => {
        const r = next()
        const shape: FieldType = { kind: 'shape', id: ids[Math.floor(next() * n)]! }
        return r < 0.5 ? shape : r < 0.7 ? { kind: 'array', of: shape } : r < 0.8 ? { kind: 'object', fields: [{ name: 'in', optional: false, nullable: false, type: shape }] } : { kind: 'string' }
      }
      const shapes: ShapeInfo[] = ids.map((id, i) => ({
        id, name: `S${i}`, isClass: true, fields: Array.from({ length: 1 + Math.floor(next() * 3) }, (_, k) => ({ name: `f${k}`, optional: false, nullable: next() < 0.3, type: ref() })),
      }))
      const shared = new CanonicalModels(shapes)
      const order = [...ids].sort(() => next() - 0.5)
      for (const id of order) {
        expect({ round, id, model: shared.fields(id) }).toEqual({ round, id, model: new CanonicalModels(shapes).fields(id) })
      }
    }
  })
})

describe('literal and enum values: one order on every machine', () => {
  const english = new Intl.Collator('en').compare
  const byEnglish = (values: Array<string | number | boolean>) => [...values].sort((a, b) => english(String(a), String(b)))

  it('is English collation order, also where code-unit order is used (lowercase or uppercase letters with digits)', () => {
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const word = (alphabet: string) => Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
    for (const alphabet of ['abcxyz019', 'ABCXYZ019', 'ab']) {
      for (let round = 0; round < 300; round++) {
        const values: Array<string | number | boolean> = Array.from({ length: 1 + Math.floor(next() * 24) }, () => word(alphabet))
        if (round % 3 === 0) values.push(Math.floor(next() * 1000), next() < 0.5)
        expect(collationOrder(values)).toEqual(byEnglish(values))
      }
    }
    // mixed case, punctuation, accents: the collator's order (not code units)
    for (const values of [['b', 'B', 'a', 'A'], ['a-b', 'a_b', 'ab', 'a b'], ['z', 'ä', 'y', 'ch', 'h'], [-1, 2, 10, 'x', '1.5']]) {
      expect(collationOrder(values)).toEqual(byEnglish(values))
    }
    expect(collationOrder(['B', 'a'])).toEqual(['a', 'B'])
  })

  it("does not depend on the process's locale (a Swedish or Lithuanian locale sorts ä and y differently)", () => {
    const values = ['z', 'ä', 'y', 'i', 'ch', 'h', 'B', 'a']
    const module = JSON.stringify(new URL('../../runtime/schema/canonical.ts', import.meta.url).href)
    const code = `const { collationOrder } = await import(${module}); process.stdout.write(JSON.stringify([collationOrder(${JSON.stringify(values)}), ['z', 'ä'].sort((a, b) => a.localeCompare(b))]))`
    for (const locale of ['sv_SE.UTF-8', 'lt_LT.UTF-8', 'en_US.UTF-8']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)), env: { ...process.env, LANG: locale, LC_ALL: locale },
      })
      expect(r.stderr).toBe('')
      const [order, localeOrder] = JSON.parse(r.stdout) as [string[], string[]]
      expect({ locale, order }).toEqual({ locale, order: byEnglish(values) })
      // the locale did reach the child: its own localeCompare differs from English order in Swedish
      if (locale.startsWith('sv')) expect(localeOrder).toEqual(['z', 'ä'])
    }
  })
})

describe('diffSchemas', () => {
  it('reports added, removed and changed fields in words, nested ones by path', () => {
    const before = scanFixture('codec')
    const root = copy('codec')
    const file = join(root, 'src/entities.ts')
    writeFileSync(file, readFileSync(file, 'utf8')
      .replace("  views = 0\n", "  views = ''\n  subtitle?: string\n")
      .replace("  rating = 0\n", '')
      .replace('dimensions: { width: number; height: number }', 'dimensions: { width: number; height: number | null }'))
    const after = scan(root)
    const model = (r: typeof before) => {
      const media = r.entities.find((e) => e.name === 'Media')!
      return canonicalModel(media.shape!, r.shapes)
    }
    expect(diffSchemas(model(before), model(after)).map((c) => c.text)).toEqual([
      'field dimensions.height changed from number to number | null',
      'removed field rating (was number)',
      'added field subtitle: string (optional)',
      'field views changed from number to string',
    ])
    expect(diffSchemas(model(before), model(before))).toEqual([])
  })
})

describe('schemas', () => {
  it('zod schema of the stored form and JSON Schema only with includeSchema', async () => {
    const m = await loadRegistry('basic')
    const media = m.codecs['src.models.media.Media']!
    const log = m.codecs['src.models.log-entry.LogEntry']!
    expect(log.jsonSchema).toBeUndefined()
    expect(media.jsonSchema).toMatchObject({
      type: 'object', additionalProperties: false, required: ['title', 'contentUrl'],
      properties: { title: { type: 'string' }, contentUrl: { type: 'string' } },
    })
    expect(log.schema.safeParse({ message: 'm', timestamp: '2025-10-02T15:30:45Z' }).success).toBe(true)
    expect(log.schema.safeParse({ message: 'm', timestamp: 'later' }).success).toBe(false)
    expect(media.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('JSON Schema of recursive and rich shapes', async () => {
    const m = await loadRegistry('codec')
    const schema = m.codecs['src.entities.Sample']!.jsonSchema as any
    expect(schema.properties.when).toMatchObject({ type: 'string', format: 'date-time' })
    expect(schema.properties.big).toMatchObject({ type: 'string', pattern: expect.any(String) })
    expect(schema.properties.kind.enum).toEqual(['a', 'b', 'c'])
    expect(JSON.stringify(schema)).toContain('$ref')
  })
})
