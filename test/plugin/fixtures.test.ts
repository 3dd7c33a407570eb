import { describe, expect, it } from 'vitest'
import { generateDts } from '../../plugin/core/generate/dts.js'
import { generateDataModule, generateRegistryModule } from '../../plugin/core/generate/registry.js'
import { codecClassIds, generateCodecProgram } from '../../runtime/schema/program.js'
import type { KoanBackupOptions } from '../../plugin/types.js'
import { formatReport } from '../../runtime/report.js'
import { codes, entity, scanFixture, statuses } from '../helpers.js'

const CASES: Record<string, KoanBackupOptions> = {
  basic: {},
  scopes: {},
  inheritance: {},
  'class-expressions': {},
  'import-closure/app': {},
  'static-args': {},
  names: {},
  typeorm: { entityDecorators: [{ name: 'Entity', from: 'typeorm' }], entityBases: ['BaseEntity@@mikro-orm/core'] },
  'scope-errors': { tsconfig: false },
  'decorator-flavours/tc39': {},
  'decorator-flavours/legacy': {},
  fields: {},
  codec: {},
}

describe('fixture snapshots', () => {
  for (const [name, options] of Object.entries(CASES)) {
    it(`${name}: scan result, report, generated module and .d.ts are stable`, async () => {
      const registry = scanFixture(name, options)
      const program = generateCodecProgram(registry)
      const module = generateRegistryModule(registry, { root: '<root>' })
      const dts = generateDts(registry)
      const dir = `./__snapshots__/${name.replace('/', '-')}`
      await expect(JSON.stringify(registry, null, 2) + '\n').toMatchFileSnapshot(`${dir}/registry.json`)
      await expect(formatReport(registry) + '\n').toMatchFileSnapshot(`${dir}/report.txt`)
      await expect(module).toMatchFileSnapshot(`${dir}/module.js.txt`)
      await expect(generateDataModule(registry)).toMatchFileSnapshot(`${dir}/registry-only.js.txt`)
      await expect(program.source).toMatchFileSnapshot(`${dir}/codecs.js.txt`)
      // the module imports exactly the classes the program takes, in the same order
      expect(codecClassIds(registry)).toEqual(program.classIds)
      await expect(dts).toMatchFileSnapshot(`${dir}/registry.d.ts.txt`)
      // generating twice gives identical bytes
      const again = scanFixture(name, options)
      expect(generateRegistryModule(again, { root: '<root>' })).toBe(module)
      expect(generateDataModule(again)).toBe(generateDataModule(registry))
      expect(generateDts(again)).toBe(dts)
    })
  }
})

describe('basic: the spec example', () => {
  const r = scanFixture('basic')
  it('resolves every policy with its source', () => {
    expect(statuses(r)).toEqual({
      Archive: 'included', LogEntry: 'included', Media: 'included', PublicContent: 'included', SearchIndex: 'excluded', UnmarkedEntity: 'uncovered', User: 'included',
    })
    // outside the tsconfig's `include`, imported by src/main.ts: scanned
    expect(entity(r, 'Archive')).toMatchObject({ file: 'legacy/archive.ts', fullName: 'legacy.archive.Archive' })
    expect(entity(r, 'User').policy).toEqual({ encrypt: true, includeSchema: true })
    expect(entity(r, 'LogEntry').policy).toEqual({ encrypt: false, includeSchema: false })
    expect(entity(r, 'SearchIndex').reason).toBe('Derived view, rebuild from source')
    expect(entity(r, 'PublicContent').source).toEqual({ kind: 'scope', file: 'src/public/backup.scope.ts', line: 3, column: 16 })
    expect(entity(r, 'Media').source).toEqual({ kind: 'decorator', file: 'src/models/media.ts', line: 3, column: 1 })
    expect(entity(r, 'Media').fullName).toBe('src.models.media.Media')
  })
  it('warns for the uncovered entity only, at its class name', () => {
    expect(codes(r)).toEqual(['KB001 src/models/unmarked.ts:3:14'])
    expect(r.diagnostics[0]!.severity).toBe('warning')
  })
  it('strict turns the warning into an error', () => {
    expect(scanFixture('basic', { strict: true }).diagnostics.map((d) => d.severity)).toEqual(['error'])
  })
  it("the plugin option `scope` applies where no scope file does", () => {
    const all = scanFixture('basic', { scope: { mode: 'all', encryptByDefault: true } })
    expect(entity(all, 'UnmarkedEntity')).toMatchObject({ status: 'included', policy: { encrypt: true, includeSchema: true }, source: { kind: 'option' } })
    // the folder's own scope file still wins over the option
    expect(entity(all, 'PublicContent').policy).toEqual({ encrypt: false, includeSchema: true })
    expect(codes(all)).toEqual([])
  })
})

describe('scopes: nesting and encryptByDefault', () => {
  const r = scanFixture('scopes')
  it('the nearest scope wins, in its folder and below', () => {
    expect(statuses(r)).toEqual({
      Account: 'included', Article: 'included', DeepThing: 'uncovered', Draft: 'included', Note: 'included',
      PublicContent: 'included', SensitiveData: 'included', UnmarkedEntity: 'uncovered',
    })
    expect(entity(r, 'DeepThing').source).toMatchObject({ kind: 'scope', file: 'src/secure/backup.scope.mts' })
    expect(entity(r, 'Note').source).toMatchObject({ kind: 'scope', file: 'src/plain/backup.scope.js' })
  })
  it('encryptByDefault is inherited and `encrypt: false` overrides it', () => {
    expect(entity(r, 'Account').policy).toEqual({ encrypt: true, includeSchema: true })
    expect(entity(r, 'Article').policy).toEqual({ encrypt: true, includeSchema: true })
    expect(entity(r, 'Draft').policy).toEqual({ encrypt: true, includeSchema: false })
    expect(entity(r, 'PublicContent').policy).toEqual({ encrypt: false, includeSchema: true })
    expect(entity(r, 'SensitiveData').policy).toEqual({ encrypt: true, includeSchema: true })
    expect(entity(r, 'Note').policy).toEqual({ encrypt: false, includeSchema: true })
  })
  it('warns for each uncovered entity under a mode none scope', () => {
    expect(codes(r)).toEqual(['KB001 src/secure/inner/deep.ts:4:14', 'KB001 src/secure/secrets.ts:8:14'])
    expect(r.diagnostics[0]!.message).toContain("scope src/secure/backup.scope.mts has mode 'none'")
  })
})

describe('inheritance across files, re-exports and aliases', () => {
  const r = scanFixture('inheritance')
  it('finds entities through barrels, renames, namespaces, path aliases and entity subclasses', () => {
    expect(statuses(r)).toEqual({ AuditEvent: 'included', Media: 'included', Timestamped: 'uncovered', VersionedDoc: 'uncovered', Video: 'included' })
    expect(entity(r, 'Video').policy).toEqual({ encrypt: true, includeSchema: true })
  })
  it('skips abstract classes, non-entities and cycles; follows computed bases (mixins) with the type checker', () => {
    expect(r.entities.map((e) => e.name)).not.toContain('AbstractReport')
    expect(r.entities.map((e) => e.name)).not.toContain('CycleA')
    expect(r.entities.map((e) => e.name)).not.toContain('Mixed')
    expect(codes(r)).toEqual(['KB001 src/base/timestamped.ts:4:14', 'KB001 src/models/plain.ts:22:14'])
  })
})

describe('classes the scan does not take: class expressions, anonymous default classes, classes in namespaces, declared classes', () => {
  const r = scanFixture('class-expressions')
  it('reports one that would be an entity (KB033) instead of missing it silently, and says nothing of the others', () => {
    expect(statuses(r)).toEqual({ SpecialReceipt: 'included' })
    expect(codes(r)).toEqual([
      'KB033 src/models/ambient.ts:4:22', 'KB033 src/models/anonymous.ts:4:8', 'KB033 src/models/namespaced.ts:5:16', 'KB033 src/models/namespaced.ts:14:16',
      'KB033 src/models/receipt.ts:5:14',
    ])
    const [ghost, anonymous, invoice, order, receipt] = r.diagnostics
    expect(ghost!.message).toContain('`Ghost`, a `declare class`, would be an entity')
    expect(ghost!.message).toContain('it is no class at run time')
    expect(anonymous!.message).toContain('an anonymous default-exported class would be an entity')
    expect(anonymous!.hint).toContain('export default class MyEntity extends')
    expect(invoice!.message).toContain('`Billing.Invoice`, a class inside a namespace, would be an entity')
    expect(invoice!.hint).toContain('export class Invoice extends')
    expect(order!.message).toContain('`Shop.Orders.Order`, a class inside a namespace')
    expect(receipt!.message).toContain('`Receipt`, a class expression, would be an entity')
    expect(receipt!.hint).toContain('export class Receipt extends')
  })
  it('follows a class declaration through the class expression it extends: an entity with the fields of both', () => {
    expect(entity(r, 'SpecialReceipt').policy).toEqual({ encrypt: true, includeSchema: true })
    const shape = r.shapes.find((s) => s.id === entity(r, 'SpecialReceipt').shape)!
    expect(shape.fields.map((f) => f.name)).toEqual(['id', 'total', 'memo'])
  })
})

describe('the import closure: files the listed files import beyond the tsconfig', () => {
  const r = scanFixture('import-closure/app')
  it('scans them like listed files: their entities, subclasses of them, what they re-export, lazy and side-effect imports', () => {
    expect(statuses(r)).toEqual({
      Deeper: 'uncovered', Later: 'included', Ledger: 'uncovered', Local: 'included', OldOrder: 'included', Own: 'included', Setting: 'excluded', Shared: 'included',
      Trail: 'included',
    })
    // a scope file outside the root covers its folder's entities
    expect(entity(r, 'Trail')).toMatchObject({ policy: { encrypt: true, includeSchema: true }, source: { kind: 'scope', file: '../shared/audit/backup.scope.ts' } })
    // reached through `import('../legacy/later')` and a side-effect import
    expect(entity(r, 'Later').file).toBe('legacy/later.ts')
    expect(entity(r, 'Setting')).toMatchObject({ file: '../shared/setup.ts', reason: 'rebuilt at start-up' })
    expect(entity(r, 'Shared')).toMatchObject({ file: '../shared/models.ts', fullName: 'shared.models.Shared', policy: { encrypt: true } })
    // under the root, outside `include`, imported as `../legacy/old.js`
    expect(entity(r, 'OldOrder')).toMatchObject({ file: 'legacy/old.ts', fullName: 'legacy.old.OldOrder' })
    expect(codes(r)).toEqual(['KB001 ../shared/more.ts:4:14', 'KB001 src/main.ts:15:14'])
  })
  it('reads field types from them, and leaves out files nothing imports', () => {
    const shape = r.shapes.find((s) => s.id === entity(r, 'Shared').shape)!
    const address = shape.fields.find((f) => f.name === 'address')!
    expect(address.type).toEqual({ kind: 'shape', id: '../shared/types.ts#Address' })
    expect(r.shapes.find((s) => s.id === '../shared/types.ts#Address')!.fields.map((f) => f.name)).toEqual(['street', 'city'])
    expect(r.entities.some((e) => e.name === 'Forgotten')).toBe(false)
  })
})

describe('static decorator arguments', () => {
  const r = scanFixture('static-args')
  it('reads literals, const references across files, spreads, members and plain templates', () => {
    expect(entity(r, 'ConstRefs').policy).toEqual({ encrypt: true, includeSchema: true })
    expect(entity(r, 'WholeConst').policy).toEqual({ encrypt: true, includeSchema: true })
    expect(entity(r, 'SpreadAndMember').policy).toEqual({ encrypt: true, includeSchema: false })
    expect(entity(r, 'TemplateReason')).toMatchObject({ status: 'excluded', reason: 'kept elsewhere' })
  })
  it('never treats an unreadable argument as a default: the entity is unreadable, with a located diagnostic', () => {
    for (const name of ['FromLet', 'FromCall', 'FromTemplate', 'FromEnv', 'WrongType', 'EnumWrongType', 'Twice']) {
      expect(entity(r, name).status, name).toBe('unreadable')
    }
    expect(entity(r, 'Typo')).toMatchObject({ status: 'included', policy: { encrypt: false } })
    expect(codes(r)).toEqual([
      'KB002 src/models/static-bad.ts:6:17',
      'KB002 src/models/static-bad.ts:9:15',
      'KB002 src/models/static-bad.ts:12:33',
      'KB002 src/models/static-bad.ts:15:17',
      'KB004 src/models/static-bad.ts:18:17',
      'KB003 src/models/static-bad.ts:21:17',
      'KB004 src/models/static-bad.ts:24:17',
      'KB006 src/models/static-bad.ts:28:1',
      'KB005 src/models/static-bad.ts:31:1',
      'KB007 src/models/static-bad.ts:34:1',
      'KB004 src/models/static-bad.ts:37:17',
      'KB043 src/models/static-bad.ts:40:1',
      'KB043 src/models/static-bad.ts:43:1',
    ])
    expect(entity(r, 'EmptyRecipe').status).toBe('unreadable')
    expect(entity(r, 'MissingField')).toMatchObject({ status: 'included' })
    expect(entity(r, 'MissingField').embedding).toBeUndefined()
    expect(entity(r, 'NumberField').embedding).toEqual({ fields: ['a', 'n'], model: 'text-embedding-3-small', joiner: ' | ', recipe: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) })
    expect(r.diagnostics.find((d) => d.message.includes('MissingField'))!.message).toContain('`nope` is not a stored field')
    const byCode = (c: string) => r.diagnostics.find((d) => d.code === c)!
    expect(byCode('KB002').message).toContain('`mutable`')
    expect(byCode('KB003').hint).toContain('did you mean `encrypt`')
    expect(byCode('KB004').message).toContain('must be a boolean, got "yes"')
  })
})

describe('names', () => {
  it('two classes with the same name in different files get distinct full names', () => {
    const r = scanFixture('names')
    expect(r.entities.map((e) => e.fullName)).toEqual(['src.catalog.media.Media', 'src.legacy.media.Media'])
    expect(codes(r)).toEqual(['KB021 src/legacy/media.ts:5:14'])
  })
})

describe('other ORMs: entityDecorators and entityBases', () => {
  it('recognises TypeORM @Entity() and a configured base, not look-alikes', () => {
    const r = scanFixture('typeorm', CASES.typeorm)
    expect(statuses(r)).toEqual({ Book: 'included', Comment: 'uncovered', Post: 'included' })
    expect(entity(r, 'Post').policy).toEqual({ encrypt: true, includeSchema: true })
  })
  it('without the options they are not entities', () => {
    const r = scanFixture('typeorm')
    expect(r.entities).toEqual([])
    expect(codes(r).every((c) => c.startsWith('KB005'))).toBe(true)
  })
})

describe('scope declaration errors', () => {
  const r = scanFixture('scope-errors', { tsconfig: false })
  it('locates each invalid scope and two scope files in one folder as errors', () => {
    expect(codes(r)).toEqual([
      'KB010 src/dynamic/backup.scope.ts:2:42',
      'KB001 src/invalid/b.ts:3:14',
      'KB010 src/invalid/backup.scope.ts:3:34',
      'KB010 src/noexport/backup.scope.ts:1:1',
      'KB011 src/twice/backup.scope.js:1:1',
    ])
    expect(r.diagnostics.filter((d) => d.code.startsWith('KB01')).every((d) => d.severity === 'error')).toBe(true)
  })
  it('an invalid scope never silently includes; a plain object scope works; the first scope file of a folder is used', () => {
    expect(statuses(r)).toEqual({ A: 'included', B: 'uncovered', C: 'included' })
    expect(entity(r, 'C').policy).toEqual({ encrypt: true, includeSchema: true })
  })
})

describe('decorator flavours', () => {
  it('TC39 and experimentalDecorators projects scan the same', () => {
    const tc39 = scanFixture('decorator-flavours/tc39')
    const legacy = scanFixture('decorator-flavours/legacy')
    expect(tc39.entities).toEqual(legacy.entities)
    expect(statuses(tc39)).toEqual({ Bare: 'included', Secret: 'included' })
  })
})
