/**
 * Real builds of `test/fixtures/basic` with every supported bundler and the plugin's public
 * entries (`dist/`, so run `npm run build` first). Outputs go to temp folders outside the repo.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { transformSync } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLERS, builders, type BuildResult } from './builds.js'
import { copyFixture, decoratorTraces, EXPECTED_ENTITIES, FIXTURE, removeDir, runBundle, tempOutDir, UNMARKED_AT } from './helpers.js'

const outDirs: string[] = []
function outDir(): string {
  const dir = tempOutDir()
  outDirs.push(dir)
  return dir
}
afterAll(() => outDirs.forEach(removeDir))

describe.each(BUNDLERS)('%s', (name) => {
  const build = builders[name]
  let built: BuildResult

  beforeAll(async () => {
    built = await build({ root: FIXTURE, outDir: outDir() })
  })

  it('builds the fixture', () => {
    expect(existsSync(built.outfile)).toBe(true)
    expect(built.code).toContain('UnmarkedEntity')
  })

  it(`reports KB001 at ${UNMARKED_AT} as a bundler warning`, () => {
    expect(built.warnings).toContain(UNMARKED_AT)
    const line = built.warnings.split('\n').find((l) => l.includes(UNMARKED_AT))
    expect(line).toContain('KB001')
  })

  it('scans a file outside the tsconfig that a listed file imports; reports KB035 for one only JavaScript reaches; strips both; the bundle runs', () => {
    const shown = `${built.warnings}\n${built.pluginLog}`
    expect(shown.split('\n').filter((l) => l.includes('legacy/archive.ts') && l.includes('KB035'))).toEqual([])
    const line = shown.split('\n').find((l) => l.includes('legacy/lazy.ts:7:1'))
    expect(line).toContain('KB035')
    const summary = runBundle(built.outfile)
    expect(summary).toMatchObject({ archiveLabel: 'archive', lazyLabel: 'lazy' })
    // imported by src/main.ts: in the inventory; reached through src/glue.js only: not
    expect(summary.entities).toContain('Archive:included')
    expect(summary.entities.some((e) => e.startsWith('Lazy:'))).toBe(false)
  })

  it('prints the inventory report once', () => {
    expect(built.pluginLog.match(/inventory:/g)).toHaveLength(1)
    expect(built.pluginLog).toContain(UNMARKED_AT)
  })

  it('emits a bundle that runs under Node and sees the registry', () => {
    const summary = runBundle(built.outfile)
    expect(summary.entities).toEqual(expect.arrayContaining(EXPECTED_ENTITIES))
    expect(summary).toMatchObject({ mediaTitle: '', userIsClass: true })
  })

  it('leaves out the codec program and the runtime when the app imports only the registry', () => {
    expect(built.code).toContain('UnmarkedEntity')
    // the import is pointed at the registry-only module: the bundler never loads the codec program, the
    // entity classes' imports or the runtime (webpack and rspack, which do not minify here, show it too)
    expect(built.code).not.toContain('compileCodecs')
    expect(built.code).not.toContain('createBackup')
    expect(built.code).not.toContain('canonicalDate: $D')
    expect(built.code).not.toContain('is locked by')
  })

  it('strips @EntityBackup from the emitted code', () => {
    expect(decoratorTraces(built.code)).toEqual([])
  })

  it('fails under strict: true with the location and code', async () => {
    const dir = outDir()
    const error = await build({ root: FIXTURE, outDir: dir, options: { strict: true } }).then(
      () => expect.unreachable('the strict build succeeded'),
      (e: unknown) => e as Error,
    )
    expect(error.message).toContain(UNMARKED_AT)
    expect(error.message).toMatch(new RegExp(`${UNMARKED_AT.replaceAll('.', '\\.')} KB001`))
    expect(readdirSync(dir), 'a failed build writes no bundle').toEqual([])
  })
})

describe('decoratorTraces (control for the strip check)', () => {
  const source = readFileSync(join(FIXTURE, 'src/models/media.ts'), 'utf8')

  it('finds the decorator in unstripped code', () => {
    expect(decoratorTraces(source)).not.toEqual([])
    const tc39 = transformSync(source, { loader: 'ts', format: 'esm', target: 'es2022' }).code
    expect(decoratorTraces(tc39)).toEqual(expect.arrayContaining(['EntityBackup(', '__decorateElement']))
    const legacy = transformSync(source, {
      loader: 'ts', format: 'esm', target: 'es2022', tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    }).code
    expect(decoratorTraces(legacy)).toEqual(expect.arrayContaining(['EntityBackup(', '__decorateClass']))
    expect(decoratorTraces('(0, koan_backup__WEBPACK_IMPORTED_MODULE_0__.EntityBackup)({ encrypt: true })')).toHaveLength(1)
  })

  it('ignores the hint text and the unused declaration', () => {
    const code = [
      '"hint": "add @EntityBackup() to the class, opt out with @EntityBackup({ enabled: false })"',
      'function EntityBackup(arg, context) {}',
      'function getEntityBackupOptions(target) {}',
    ].join('\n')
    expect(decoratorTraces(code)).toEqual([])
  })
})

describe.each(BUNDLERS)('%s: an app that takes the registry alone in one file and the codecs in another', (name) => {
  let root: string
  let built: BuildResult

  beforeAll(async () => {
    root = copyFixture()
    // main.ts's import is pointed at the registry-only module; codecs.ts's is not (it takes the codecs too)
    writeFileSync(join(root, 'src/codecs.ts'), [
      "import type { BackupRegistry } from 'koan-backup'",
      "import { registry as again, codecs } from 'koan-backup/registry'",
      "import { Media } from './models/media'",
      'export const registryOfCodecs: BackupRegistry = again',
      "export const mediaText = codecs['src.models.media.Media']!.serialize(Object.assign(new Media(), { title: 'T' }))",
      '',
    ].join('\n'))
    writeFileSync(join(root, 'src/main.ts'), [
      "import { registry } from 'koan-backup/registry'",
      "import { mediaText, registryOfCodecs } from './codecs'",
      'console.log(JSON.stringify({ same: registry === registryOfCodecs, entities: registry.entities.length, mediaText }))',
      '',
    ].join('\n'))
    built = await builders[name]({ root, outDir: outDir() })
  })
  afterAll(() => root && removeDir(root))

  it('holds one registry object, whichever way it is imported, and the codecs work', () => {
    const out = runBundle(built.outfile) as unknown as { same: boolean; entities: number; mediaText: string }
    expect(out.same).toBe(true)
    expect(out.entities).toBeGreaterThan(0)
    expect(JSON.parse(out.mediaText)).toEqual({ title: 'T', contentUrl: '' })
    expect(built.code).toContain('compileCodecs')
  })
})
