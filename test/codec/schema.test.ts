import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalModel, diffSchemas } from '../../runtime/schema/index.js'
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
