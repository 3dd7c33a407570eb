/**
 * The import closure: files the tsconfig does not list that listed files import (as `tsc` takes them into its
 * program) are scanned, with and without the results cache, in watch mode, and under TypeScript's own resolution.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PluginContext } from '../../plugin/core/context.js'
import { resolveOptions } from '../../plugin/core/options.js'
import { ModuleResolver } from '../../plugin/core/scan/project.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { readConfigQuick } from '../../plugin/core/scan/tsconfig-quick.js'
import type { KoanBackupOptions } from '../../plugin/types.js'

let dirs: string[] = []
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs = []
})

/** A project in a temp folder: `app/` (the root, `include: ["src"]`) beside `shared/`. */
function project(files: Record<string, string>, compilerOptions: object = { module: 'ESNext', moduleResolution: 'Bundler' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-closure-')).replaceAll('\\', '/')
  dirs.push(dir)
  const all = { 'app/tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', strict: true, ...compilerOptions }, include: ['src'] }), ...files }
  for (const [rel, text] of Object.entries(all)) write(dir, rel, text)
  return dir
}

function write(dir: string, rel: string, text: string): void {
  const file = join(dir, rel)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

const entity = (name: string, extra = '') => `import { Entity } from 'koan-backup'\nexport class ${name} extends Entity<${name}> {\n  ${extra || 'x = 1'}\n}\n`

const scanner = (dir: string, options: KoanBackupOptions = {}) =>
  new Scanner(resolveOptions({ dts: false, cache: false, ...options, root: `${dir}/app` }))

const files = (s: Scanner) => s.scan().entities.map((e) => `${e.name}@${e.file}`).sort()

/** Every file and folder of the project last modified a minute ago. */
function ageAll(dir: string): void {
  const when = new Date(Date.now() - 60_000)
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name))
    utimesSync(path, when, when)
  }
  visit(dir)
}

/** Every file of the project last modified a minute ago (stamps of recent files are not trusted). */
function age(dir: string, rels: string[]): void {
  const when = new Date(Date.now() - 60_000)
  for (const rel of rels) utimesSync(join(dir, rel), when, when)
}

describe('the import closure', () => {
  it('follows imports, re-exports and star exports, transitively, to files outside the listing and the root', () => {
    const dir = project({
      'app/src/main.ts': "import { A } from '../../shared/a'\nexport * from '../lib/star'\nexport { R } from '../lib/re.js'\nexport const a = new A()\n",
      'app/lib/star.ts': entity('Star'),
      'app/lib/re.ts': entity('R'),
      'shared/a.ts': "import { B } from './deeper/b'\n" + entity('A', 'b?: B'),
      'shared/deeper/b.ts': entity('B'),
      'shared/unused.ts': entity('Unused'),
      // a relative import into a package is not followed
      'app/src/pkg.ts': "import { P } from '../node_modules/p/index'\nexport const p = P\n",
      'app/node_modules/p/index.ts': entity('P'),
    })
    expect(files(scanner(dir))).toEqual(['A@../shared/a.ts', 'B@../shared/deeper/b.ts', 'R@lib/re.ts', 'Star@lib/star.ts'])
  })

  it('a cached scan confirms the files it read beyond the listing without linking', () => {
    const dir = project({ 'app/src/main.ts': "import { A } from '../../shared/a'\nexport const a = A\n", 'shared/a.ts': entity('A') })
    const cache = `${dir}/app/.cache/facts.json`
    age(dir, ['app/src/main.ts', 'shared/a.ts', 'app/tsconfig.json'])
    const first = scanner(dir, { cache })
    const registry = first.scan()
    expect(first.stats.cached).toBeUndefined()
    const second = scanner(dir, { cache })
    expect(second.scan()).toEqual(registry)
    expect(second.stats).toMatchObject({ cached: true, read: 0, parsed: 0, files: 2 })
    expect(second.watchFiles()).toContain(`${dir}/shared/a.ts`)
    expect(second.covers(`${dir}/shared/a.ts`)).toBe(true)
  })

  it('a cached scan restored at another path takes the files outside the root with it (a checkout that moved)', async () => {
    const dir = project({
      'app/src/main.ts': "import { A } from '../../shared/a'\nexport const a = A\n",
      'shared/a.ts': entity('A').replace('export class', "import { EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class"),
    })
    const first = scanner(dir, { cache: `${dir}/app/.cache/facts.json` })
    const registry = first.scan()
    // (the results file is written once the hook is done)
    await new Promise((resolve) => setImmediate(resolve))
    // the whole tree elsewhere, its cache folder with it
    const moved = mkdtempSync(join(tmpdir(), 'kb-closure-moved-')).replaceAll('\\', '/')
    dirs.push(moved)
    cpSync(dir, moved, { recursive: true })
    const again = scanner(moved, { cache: `${moved}/app/.cache/facts.json` })
    expect(again.scan()).toEqual(registry)
    // nothing parsed: the facts of the file outside the root moved with it too
    expect(again.stats).toMatchObject({ cached: true, parsed: 0 })
    const shared = `${moved}/shared/a.ts`
    expect(again.covers(shared)).toBe(true)
    expect(again.watchFiles()).toContain(shared)
    const code = readFileSync(shared, 'utf8')
    const edits = again.transformEdits(shared, code)
    expect(edits.strip.map(([s, e]) => code.slice(s, e))).toEqual(['@EntityBackup()'])
  })

  it('after a move, the generated module is taken from the cache with its imports moved, outside the root too (nothing generated anew)', async () => {
    const dir = project({
      'app/src/main.ts': "import { A } from '../../shared/a'\nimport { B } from './b'\nexport const all = [A, B]\n",
      'app/src/b.ts': entity('B').replace('export class', "import { EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class"),
      'shared/a.ts': entity('A').replace('export class', "import { EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class"),
    })
    const cache = (at: string) => `${at}/app/.cache/facts.json`
    const context = (at: string, cached: boolean) => new PluginContext({ root: `${at}/app`, dts: false, report: false, cache: cached ? cache(at) : false })
    const first = context(dir, true)
    expect(first.moduleCode()).toContain(`"${dir}/app/../shared/a.ts"`)
    await new Promise((resolve) => setImmediate(resolve))
    const moved = mkdtempSync(join(tmpdir(), 'kb-closure-moved-')).replaceAll('\\', '/')
    dirs.push(moved)
    cpSync(dir, moved, { recursive: true })
    const results = `${moved}/app/.cache/facts.results.json`
    const before = readFileSync(results)
    const again = context(moved, true)
    const code = again.moduleCode()
    expect(again.stats).toMatchObject({ cached: true, parsed: 0 })
    // byte for byte what a build at the new path generates, and not generated again (so the results file is not rewritten)
    expect(code).toBe(context(moved, false).moduleCode())
    expect(code).toContain(`"${moved}/app/../shared/a.ts"`)
    expect(code).toContain(`"${moved}/app/src/b.ts"`)
    expect(code).not.toContain(dir)
    await new Promise((resolve) => setImmediate(resolve))
    expect(readFileSync(results).equals(before)).toBe(true)
  })

  it('a file created where an import looked first is seen by a cached scan (the recorded misses)', () => {
    const dir = project({ 'app/src/main.ts': "import { Lib } from '../lib'\nexport const l = Lib\n", 'app/lib/index.ts': entity('Lib') })
    const cache = `${dir}/app/.cache/facts.json`
    expect(files(scanner(dir, { cache }))).toEqual(['Lib@lib/index.ts'])
    // same listed files, same closure files: the key alone would give the old registry
    write(dir, 'app/lib.ts', entity('Lib', 'y = 2'))
    const again = scanner(dir, { cache })
    expect(files(again)).toEqual(['Lib@lib.ts'])
    expect(again.stats.cached).toBeUndefined()
  })

  it('an import added to a listed file brings its file into the next cached scan; removed, lets it go', () => {
    const dir = project({ 'app/src/main.ts': 'export const nothing = 1\n', 'shared/a.ts': entity('A') })
    const cache = `${dir}/app/.cache/facts.json`
    expect(files(scanner(dir, { cache }))).toEqual([])
    write(dir, 'app/src/main.ts', "import { A } from '../../shared/a'\nexport const a = A\n")
    expect(files(scanner(dir, { cache }))).toEqual(['A@../shared/a.ts'])
    write(dir, 'app/src/main.ts', 'export const nothing = 2\n')
    const s = scanner(dir, { cache })
    expect(files(s)).toEqual([])
    expect(s.watchFiles()).not.toContain(`${dir}/shared/a.ts`)
  })

  it('an import removed lets go of the files only it brought in, transitively (with and without the cache)', () => {
    for (const cache of [false, true]) {
      const dir = project({
        'app/src/main.ts': "import { A } from '../../shared/a'\nexport const a = A\n",
        'shared/a.ts': "import { B } from './b'\n" + entity('A', 'b?: B'),
        'shared/b.ts': entity('B'),
      })
      const options = { cache: cache ? `${dir}/app/.cache/facts.json` : false }
      const s = scanner(dir, options)
      expect(files(s)).toEqual(['A@../shared/a.ts', 'B@../shared/b.ts'])
      write(dir, 'app/src/main.ts', 'export const a = 1\n')
      // in the same process (a rebuild) and in a new one (the cached closure as the guess)
      expect(files(s)).toEqual([])
      expect(files(scanner(dir, options))).toEqual([])
    }
  })

  it('scope files of the folders it brings in apply, outside the root too, and are read by cached scans', () => {
    const scope = (mode: string) => `import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: '${mode}' })\n`
    const dir = project({
      'app/src/main.ts': "import { A } from '../../shared/a'\nexport const a = A\n",
      'shared/a.ts': entity('A'),
      'shared/backup.scope.ts': scope('all'),
    })
    const cache = `${dir}/app/.cache/facts.json`
    const status = (s: Scanner) => s.scan().entities.map((e) => `${e.name}:${e.status}:${e.source.kind === 'scope' ? e.source.file : e.source.kind}`)
    expect(status(scanner(dir, { cache }))).toEqual(['A:included:../shared/backup.scope.ts'])
    const again = scanner(dir, { cache })
    expect(status(again)).toEqual(['A:included:../shared/backup.scope.ts'])
    expect(again.stats.cached).toBe(true)
    write(dir, 'shared/backup.scope.ts', scope('none'))
    expect(status(scanner(dir, { cache }))).toEqual(['A:uncovered:../shared/backup.scope.ts'])
  })

  it('a full scan finds a scope file that comes or goes where the listing does not look (the root above `include`)', () => {
    const dir = project({ 'app/src/main.ts': entity('M') })
    const s = scanner(dir)
    expect(s.scan().entities.map((e) => e.status)).toEqual(['uncovered'])
    ageAll(dir)
    s.scan()
    const scope = `${dir}/app/backup.scope.ts`
    writeFileSync(scope, "import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: 'all' })\n")
    expect(s.scan().entities.map((e) => e.status)).toEqual(['included'])
    unlinkSync(scope)
    expect(s.scan().entities.map((e) => e.status)).toEqual(['uncovered'])
  })

  it('watch mode: update() of a listed file follows its new imports; of a closure file, relinks it; deleted, lets it go', () => {
    const dir = project({ 'app/src/main.ts': 'export const nothing = 1\n', 'shared/a.ts': entity('A') })
    const s = scanner(dir)
    expect(files(s)).toEqual([])
    const main = `${dir}/app/src/main.ts`
    writeFileSync(main, "import { A } from '../../shared/a'\nexport const a = A\n")
    expect(s.update(main).entities.map((e) => e.fullName)).toEqual(['shared.a.A'])
    const shared = `${dir}/shared/a.ts`
    writeFileSync(shared, entity('A').replace('export class', "import { EntityBackup } from 'koan-backup'\n@EntityBackup({ encrypt: true })\nexport class"))
    expect(s.update(shared).entities[0]).toMatchObject({ status: 'included', policy: { encrypt: true } })
    unlinkSync(shared)
    expect(s.update(shared).entities).toEqual([])
    expect(s.covers(shared)).toBe(false)
    // created again: the import names it again
    writeFileSync(shared, entity('A'))
    expect(s.update(shared).entities.map((e) => e.name)).toEqual(['A'])
    // a scope file created beside it (no listed folder changes, and the listing is old enough to be trusted): it
    // applies; deleted, it goes
    ageAll(dir)
    s.scan()
    const scope = `${dir}/shared/backup.scope.ts`
    writeFileSync(scope, "import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: 'all' })\n")
    expect(s.update(scope).entities.map((e) => `${e.name}:${e.status}`)).toEqual(['A:included'])
    expect(s.watchFiles()).toContain(scope)
    unlinkSync(scope)
    expect(s.update(scope).entities.map((e) => `${e.name}:${e.status}`)).toEqual(['A:uncovered'])
  })

  it('`paths` and `baseUrl` aliases, answered on disk without TypeScript (tsconfig included); the paths they tried are recorded', () => {
    const answered = vi.spyOn(ModuleResolver.prototype as unknown as { typeScriptAnswer: () => string | null }, 'typeScriptAnswer')
    const asked = vi.spyOn(ModuleResolver.prototype as unknown as { typeScriptLookup: () => string | null }, 'typeScriptLookup')
    try {
      const dir = project({
        'app/src/main.ts': "import { A } from '@shared/a'\nimport { Base } from '@/models/base'\nimport { L } from 'lib/l'\nexport const all = [A, Base, L]\n",
        'app/src/models/base.ts': "import { Entity } from 'koan-backup'\nexport abstract class Base<T> extends Entity<T> {\n  id = ''\n}\n",
        'app/src/models/user.ts': "import { Base } from '@/models/base'\nexport class User extends Base<User> {\n  name = ''\n}\n",
        'shared/a.ts': entity('A'),
        'app/lib/l.ts': entity('L'),
      }, { module: 'ESNext', moduleResolution: 'Bundler', baseUrl: '.', paths: { '@shared/*': ['../shared/*'], '@/*': ['./src/*'] } })
      const cache = `${dir}/app/.cache/facts.json`
      ageAll(dir)
      const s = scanner(dir, { cache, scope: { mode: 'all' } })
      expect(files(s)).toEqual(['A@../shared/a.ts', 'L@lib/l.ts', 'User@src/models/user.ts'])
      const registry = s.scan()
      const user = registry.entities.find((e) => e.name === 'User')
      expect(registry.shapes.find((x) => x.id === user?.shape)?.fields.map((f) => f.name).sort()).toEqual(['id', 'name'])
      // the tsconfig read, and every import resolved, without TypeScript
      expect(readConfigQuick(`${dir}/app/tsconfig.json`, () => {})).not.toBeNull()
      expect(answered).not.toHaveBeenCalled()
      expect(asked).not.toHaveBeenCalled()
      // the file a substitution names moved to another extension: the cached scan follows it
      write(dir, 'shared/a.tsx', entity('A2'))
      unlinkSync(`${dir}/shared/a.ts`)
      expect(files(scanner(dir, { cache, scope: { mode: 'all' } }))).toEqual(['A2@../shared/a.tsx', 'L@lib/l.ts', 'User@src/models/user.ts'])
    } finally {
      answered.mockRestore()
      asked.mockRestore()
    }
  })

  it('a cached scan sees a file created where a `paths` substitution looked first', () => {
    const dir = project({
      'app/src/main.ts': "import { A } from '@shared/a'\nexport const a = A\n",
      'second/a.ts': entity('Second'),
    }, { module: 'ESNext', moduleResolution: 'Bundler', paths: { '@shared/*': ['../first/*', '../second/*'] } })
    const cache = `${dir}/app/.cache/facts.json`
    ageAll(dir)
    expect(files(scanner(dir, { cache }))).toEqual(['Second@../second/a.ts'])
    write(dir, 'first/a.ts', entity('First'))
    const again = scanner(dir, { cache })
    expect(files(again)).toEqual(['First@../first/a.ts'])
    expect(again.stats.cached).toBeUndefined()
  })

  it('node16 and nodenext: `.js` specifiers of ES modules, extensionless ones of CommonJS modules, without TypeScript; the package.json type recorded', () => {
    const answered = vi.spyOn(ModuleResolver.prototype as unknown as { typeScriptAnswer: () => string | null }, 'typeScriptAnswer')
    const asked = vi.spyOn(ModuleResolver.prototype as unknown as { typeScriptLookup: () => string | null }, 'typeScriptLookup')
    try {
      const dir = project({
        'app/package.json': JSON.stringify({ name: 'app', type: 'module' }),
        // an ES module: `./b` names nothing, `../../shared/a.js` names a.ts
        'app/src/main.ts': "import { A } from '../../shared/a.js'\nimport { B } from './b'\nexport const all = [A, B]\n",
        'app/src/b.ts': entity('B'),
        // a CommonJS module by its extension: `./c` names c.ts
        'app/src/legacy.cts': "import { C } from '../lib/c'\nexport const c = C\n",
        'app/lib/c.ts': entity('C'),
        'shared/a.ts': entity('A'),
      }, { module: 'NodeNext', moduleResolution: 'NodeNext' })
      const cache = `${dir}/app/.cache/facts.json`
      ageAll(dir)
      const first = scanner(dir, { cache })
      expect(files(first)).toEqual(['A@../shared/a.ts', 'B@src/b.ts', 'C@lib/c.ts'])
      expect(first.scan().entities.map((e) => e.name).sort()).toEqual(['A', 'B', 'C'])
      expect(answered).not.toHaveBeenCalled()
      expect(asked).not.toHaveBeenCalled()
    } finally {
      answered.mockRestore()
      asked.mockRestore()
    }
  })

  it('node16: an ES module\'s extensionless import names no file; made CommonJS by its package.json, a cached scan sees it', () => {
    const dir = project({
      'app/package.json': JSON.stringify({ type: 'module' }),
      'app/src/main.ts': "import { A } from '../../shared/a'\nexport const a = A\n",
      'shared/a.ts': entity('A'),
    }, { module: 'Node16', moduleResolution: 'Node16' })
    const cache = `${dir}/app/.cache/facts.json`
    ageAll(dir)
    expect(files(scanner(dir, { cache }))).toEqual([])
    writeFileSync(`${dir}/app/package.json`, JSON.stringify({ type: 'commonjs' }))
    const again = scanner(dir, { cache })
    expect(files(again)).toEqual(['A@../shared/a.ts'])
    expect(again.stats.cached).toBeUndefined()
  })
})

describe('workspace packages imported by name', () => {
  /** `app/` (the root) and `packages/models/`, linked as `@acme/models` in `app/node_modules` (as npm workspaces link it). */
  function workspace(manifest: object, extra: Record<string, string> = {}, compilerOptions?: object): string {
    const dir = project({
      'app/src/main.ts': "import { Shared } from '@acme/models'\nimport { Entity } from 'koan-backup'\nexport class Order extends Shared {\n  total = 0\n}\nexport class Local extends Entity<Local> {\n  n = 1\n}\n",
      'packages/models/package.json': JSON.stringify({ name: '@acme/models', ...manifest }),
      'packages/models/src/index.ts': "export { Shared } from './shared'\n",
      'packages/models/src/shared.ts': entity('Shared', 'note = ""'),
      ...extra,
    }, compilerOptions)
    mkdirSync(`${dir}/app/node_modules/@acme`, { recursive: true })
    symlinkSync('../../../packages/models', `${dir}/app/node_modules/@acme/models`, 'dir')
    return dir
  }
  /** An entity's stored fields (scanned with `scope: { mode: 'all' }`, so that it has a shape). */
  const fields = (s: Scanner, name: string) => {
    const registry = s.scan()
    const shape = registry.entities.find((e) => e.name === name)?.shape
    return registry.shapes.find((x) => x.id === shape)?.fields.map((f) => f.name).sort()
  }

  it('follows the link to the package\'s sources: its entities are scanned, and subclasses in the app inherit their fields', () => {
    const dir = workspace({ exports: { '.': { types: './src/index.ts', import: './dist/index.js' } } })
    const s = scanner(dir, { scope: { mode: 'all' } })
    expect(files(s)).toEqual(['Local@src/main.ts', 'Order@src/main.ts', 'Shared@../packages/models/src/shared.ts'])
    expect(fields(s, 'Order')).toEqual(['note', 'total'])
    expect(s.scan().entities.find((e) => e.name === 'Shared')?.fullName).toBe('packages.models.src.shared.Shared')
    expect(s.covers(`${dir}/packages/models/src/shared.ts`)).toBe(true)
  })

  it('does not follow a package whose types are declaration files, nor a package in node_modules', () => {
    const dir = workspace({ types: 'dist/index.d.ts' }, {
      'packages/models/dist/index.d.ts': 'export declare class Shared {}\n',
      'app/node_modules/real/package.json': JSON.stringify({ exports: './index.ts' }),
      'app/node_modules/real/index.ts': entity('Real'),
      'app/src/real.ts': "import { Real } from 'real'\nexport const r = Real\n",
    })
    expect(files(scanner(dir))).toEqual(['Local@src/main.ts'])
  })

  it('follows a package built to dist/ from its declarations to its sources when its tsconfig.json says where they come from', () => {
    const dir = workspace({ exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }, {
      'packages/models/tsconfig.json': JSON.stringify({ compilerOptions: { rootDir: 'src', outDir: 'dist', declaration: true }, include: ['src'] }),
      'packages/models/dist/index.d.ts': "export { Shared } from './shared'\n",
      'packages/models/dist/shared.d.ts': 'export declare class Shared {}\n',
    })
    const s = scanner(dir, { scope: { mode: 'all' } })
    expect(files(s)).toEqual(['Local@src/main.ts', 'Order@src/main.ts', 'Shared@../packages/models/src/shared.ts'])
    expect(fields(s, 'Order')).toEqual(['note', 'total'])
    // its tsconfig is watched with its package.json, and an edit of it is followed
    const config = `${dir}/packages/models/tsconfig.json`
    expect(s.watchFiles()).toContain(config)
    expect(s.covers(config)).toBe(true)
    writeFileSync(config, JSON.stringify({ compilerOptions: { rootDir: 'src', outDir: 'out', declaration: true }, include: ['src'] }))
    // (its declarations no longer come from dist/: the package is read through them, and Order's base is unknown)
    expect(s.update(config).entities.map((e) => e.name)).toEqual(['Local'])
  })

  it('never follows the packages it knows by name: koan-backup itself, and the modules of entityBases and entityDecorators', () => {
    // koan-backup and an ORM linked from a checkout, their exports naming their sources
    const dir = workspace({ exports: './src/index.ts' }, {
      'checkouts/koan-backup/package.json': JSON.stringify({ name: 'koan-backup', exports: './src/index.ts' }),
      'checkouts/koan-backup/src/index.ts': 'export class Entity<T> {\n  declare t?: T\n}\nexport function EntityBackup(): ClassDecorator {\n  return () => {}\n}\n',
      'checkouts/orm/package.json': JSON.stringify({ name: '@acme/orm', exports: './src/index.ts' }),
      'checkouts/orm/src/index.ts': 'export class Model {}\n',
      'app/src/post.ts': "import { Model } from '@acme/orm'\nexport class Post extends Model {\n  title = ''\n}\n",
    })
    mkdirSync(`${dir}/app/node_modules/@acme`, { recursive: true })
    symlinkSync('../../checkouts/koan-backup', `${dir}/app/node_modules/koan-backup`, 'dir')
    symlinkSync('../../../checkouts/orm', `${dir}/app/node_modules/@acme/orm`, 'dir')
    mkdirSync(`${dir}/packages/models/node_modules`, { recursive: true })
    symlinkSync('../../../checkouts/koan-backup', `${dir}/packages/models/node_modules/koan-backup`, 'dir')
    const s = scanner(dir, { entityBases: ['Model@@acme/orm'] })
    expect(files(s)).toEqual(['Local@src/main.ts', 'Order@src/main.ts', 'Post@src/post.ts', 'Shared@../packages/models/src/shared.ts'])
    expect(s.watchFiles().some((f) => f.includes('/checkouts/'))).toBe(false)
  })

  it('under node16 resolution, TypeScript resolves inside the package', () => {
    const dir = workspace({ type: 'module', exports: { '.': './src/index.ts' } }, { 'app/package.json': JSON.stringify({ type: 'module' }) }, { module: 'Node16', moduleResolution: 'Node16' })
    write(dir, 'packages/models/src/index.ts', "export { Shared } from './shared.js'\n")
    write(dir, 'app/src/main.ts', "import { Shared } from '@acme/models'\nexport const s = Shared\n")
    expect(files(scanner(dir))).toEqual(['Shared@../packages/models/src/shared.ts'])
  })

  it('under node16 resolution, a built package found by TypeScript is taken from its declarations to its sources too', () => {
    const dir = workspace({ type: 'module', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }, {
      'app/package.json': JSON.stringify({ type: 'module' }),
      'packages/models/tsconfig.json': JSON.stringify({ compilerOptions: { module: 'Node16', rootDir: 'src', outDir: 'dist', declaration: true }, include: ['src'] }),
      'packages/models/dist/index.d.ts': "export { Shared } from './shared.js'\n",
      'packages/models/dist/shared.d.ts': 'export declare class Shared {}\n',
    }, { module: 'Node16', moduleResolution: 'Node16' })
    write(dir, 'packages/models/src/index.ts', "export { Shared } from './shared.js'\n")
    write(dir, 'app/src/main.ts', "import { Shared } from '@acme/models'\nexport const s = Shared\n")
    expect(files(scanner(dir))).toEqual(['Shared@../packages/models/src/shared.ts'])
  })

  it('a cached scan holds while the link and the manifest do; a manifest edited or a link pointed elsewhere is seen', () => {
    const dir = workspace({ exports: './src/index.ts' }, { 'packages/other/package.json': JSON.stringify({ exports: './src/index.ts' }), 'packages/other/src/index.ts': entity('Shared', 'other = 1') })
    const cache = `${dir}/app/.cache/facts.json`
    ageAll(dir)
    expect(files(scanner(dir, { cache, scope: { mode: 'all' } }))).toContain('Shared@../packages/models/src/shared.ts')
    const again = scanner(dir, { cache, scope: { mode: 'all' } })
    expect(files(again)).toContain('Shared@../packages/models/src/shared.ts')
    expect(again.stats).toMatchObject({ cached: true, parsed: 0 })
    // the manifest now names another file (every file the key names is unchanged)
    write(dir, 'packages/models/package.json', JSON.stringify({ exports: './src/shared.ts' }))
    write(dir, 'packages/models/src/shared.ts', entity('Shared', 'note = ""'))
    const edited = scanner(dir, { cache, scope: { mode: 'all' } })
    expect(files(edited)).toContain('Shared@../packages/models/src/shared.ts')
    expect(edited.watchFiles()).not.toContain(`${dir}/packages/models/src/index.ts`)
    // linked elsewhere
    unlinkSync(`${dir}/app/node_modules/@acme/models`)
    symlinkSync('../../../packages/other', `${dir}/app/node_modules/@acme/models`, 'dir')
    const relinked = scanner(dir, { cache, scope: { mode: 'all' } })
    expect(files(relinked)).toContain('Shared@../packages/other/src/index.ts')
    expect(fields(relinked, 'Order')).toEqual(['other', 'total'])
  })

  it('watch mode: the manifest is watched, and its change or a link pointed elsewhere is followed by update() and by a rebuild', () => {
    const dir = workspace({ exports: './src/index.ts' }, { 'packages/other/package.json': JSON.stringify({ exports: './src/index.ts' }), 'packages/other/src/index.ts': entity('Shared', 'other = 1') })
    const s = scanner(dir, { scope: { mode: 'all' } })
    expect(fields(s, 'Order')).toEqual(['note', 'total'])
    const manifest = `${dir}/packages/models/package.json`
    expect(s.watchFiles()).toContain(manifest)
    expect(s.covers(manifest)).toBe(true)
    // the manifest now names another file, whose Shared has other fields
    write(dir, 'packages/models/src/v2.ts', entity('Shared', 'v2 = 2'))
    writeFileSync(manifest, JSON.stringify({ exports: './src/v2.ts' }))
    const updated = s.update(manifest)
    expect(updated.entities.map((e) => `${e.name}@${e.file}`).sort()).toContain('Shared@../packages/models/src/v2.ts')
    expect(updated.shapes.find((x) => x.id === updated.entities.find((e) => e.name === 'Order')?.shape)?.fields.map((f) => f.name).sort()).toEqual(['total', 'v2'])
    // linked elsewhere: a full rescan in the same process (a rebuild) sees it
    unlinkSync(`${dir}/app/node_modules/@acme/models`)
    symlinkSync('../../../packages/other', `${dir}/app/node_modules/@acme/models`, 'dir')
    expect(fields(s, 'Order')).toEqual(['other', 'total'])
    expect(s.watchFiles()).toContain(`${dir}/packages/other/package.json`)
    expect(s.covers(manifest)).toBe(false)
  })
})

describe('subpath imports (`#models/user`, the `imports` of the nearest package.json)', () => {
  const imports = { '#models/*': './src/models/*.ts', '#lib/*': './lib/*.ts' }

  it('a cached scan sees a package.json created nearer to the importing file', () => {
    const dir = project({
      'app/package.json': JSON.stringify({ name: 'app', imports }),
      'app/src/main.ts': "import { Audit } from '#lib/audit'\nexport const a = Audit\n",
      'app/lib/audit.ts': entity('Audit'),
      'app/src/lib/other.ts': entity('Other'),
    })
    const cache = `${dir}/app/.cache/facts.json`
    ageAll(dir)
    expect(files(scanner(dir, { cache }))).toEqual(['Audit@lib/audit.ts', 'Other@src/lib/other.ts'])
    write(dir, 'app/src/package.json', JSON.stringify({ imports: { '#lib/*': './lib/other.ts' } }))
    const again = scanner(dir, { cache })
    expect(files(again)).toEqual(['Other@src/lib/other.ts'])
    expect(again.stats.cached).toBeUndefined()
  })
})


describe('imports of the package\'s own name (`@acme/app/models/base`, through the `exports` of the nearest package.json)', () => {
  const exports = { './models/*': './src/models/*.ts', './audit': './lib/audit.ts' }

  it('a cached scan sees the package renamed or its exports added', () => {
    const dir = project({
      'app/package.json': JSON.stringify({ name: '@acme/other' }),
      'app/src/main.ts': "import { Audit } from '@acme/app/audit'\nexport const a = Audit\n",
      'app/lib/audit.ts': entity('Audit'),
    })
    const cache = `${dir}/app/.cache/facts.json`
    ageAll(dir)
    expect(files(scanner(dir, { cache }))).toEqual([])
    writeFileSync(`${dir}/app/package.json`, JSON.stringify({ name: '@acme/app', exports }))
    const again = scanner(dir, { cache })
    expect(files(again)).toEqual(['Audit@lib/audit.ts'])
    expect(again.stats.cached).toBeUndefined()
    expect(files(scanner(dir, { cache }))).toEqual(['Audit@lib/audit.ts'])
  })
})

describe('imports through the nearest package.json: a base class, files outside the listing, an edit in watch mode', () => {
  const base = "import { Entity } from 'koan-backup'\nexport abstract class Base<T> extends Entity<T> {\n  id = ''\n}\n"
  const cases = [
    {
      label: 'subpath imports (`#models/base`)',
      manifest: (lib: string) => ({ name: 'app', type: 'module', imports: { '#models/*': './src/models/*.ts', '#lib/*': `./${lib}/*.ts` } }),
      base: '#models/base',
      audit: '#lib/audit',
    },
    {
      label: 'the package\'s own name (`@acme/app/models/base`)',
      manifest: (lib: string) => ({ name: '@acme/app', type: 'module', exports: { './models/*': './src/models/*.ts', './audit': `./${lib}/audit.ts` } }),
      base: '@acme/app/models/base',
      audit: '@acme/app/audit',
    },
  ]
  for (const c of cases) {
    it(`${c.label}: a class extending a base class imported so is an entity; such imports are followed outside the listing`, () => {
      const dir = project({
        'app/package.json': JSON.stringify(c.manifest('lib')),
        'app/src/models/base.ts': base,
        'app/src/models/user.ts': `import { Base } from '${c.base}'\nexport class User extends Base<User> {\n  name = ''\n}\n`,
        'app/src/main.ts': `import { Audit } from '${c.audit}'\nexport const a = Audit\n`,
        'app/lib/audit.ts': entity('Audit'),
      })
      const s = scanner(dir, { scope: { mode: 'all' } })
      expect(files(s)).toEqual(['Audit@lib/audit.ts', 'User@src/models/user.ts'])
      const registry = s.scan()
      const user = registry.entities.find((e) => e.name === 'User')
      expect(registry.shapes.find((x) => x.id === user?.shape)?.fields.map((f) => f.name).sort()).toEqual(['id', 'name'])
      // the package.json is watched, and an edit of it is followed
      const manifest = `${dir}/app/package.json`
      expect(s.watchFiles()).toContain(manifest)
      write(dir, 'app/lib2/audit.ts', entity('Audit', 'moved = 1'))
      writeFileSync(manifest, JSON.stringify(c.manifest('lib2')))
      expect(s.update(manifest).entities.map((e) => `${e.name}@${e.file}`).sort()).toEqual(['Audit@lib2/audit.ts', 'User@src/models/user.ts'])
    })
  }
})

describe('configs the tsconfig extends and references', () => {
  it('are watched, and an edit of one lists the project again (update() and a cached rebuild)', () => {
    const dir = project({
      'app/tsconfig.json': JSON.stringify({ files: [], references: [{ path: './tsconfig.app.json' }] }),
      'app/tsconfig.app.json': JSON.stringify({ extends: './tsconfig.base.json', include: ['src'] }),
      'app/tsconfig.base.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }),
      'app/src/a.ts': entity('A'),
      'app/more/b.ts': entity('B'),
    })
    const cache = `${dir}/app/.cache/facts.json`
    ageAll(dir)
    const s = scanner(dir, { cache })
    expect(files(s)).toEqual(['A@src/a.ts'])
    const app = `${dir}/app/tsconfig.app.json`
    const base = `${dir}/app/tsconfig.base.json`
    expect(s.watchFiles()).toEqual(expect.arrayContaining([`${dir}/app/tsconfig.json`, app, base]))
    expect(s.covers(app) && s.covers(base)).toBe(true)
    // the referenced config's include
    writeFileSync(app, JSON.stringify({ extends: './tsconfig.base.json', include: ['src', 'more'] }))
    expect(s.update(app).entities.map((e) => `${e.name}@${e.file}`).sort()).toEqual(['A@src/a.ts', 'B@more/b.ts'])
    // the config it extends, now naming the files itself
    writeFileSync(app, JSON.stringify({ extends: './tsconfig.base.json' }))
    writeFileSync(base, JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' }, include: ['more'] }))
    expect(s.update(base).entities.map((e) => `${e.name}@${e.file}`).sort()).toEqual(['B@more/b.ts'])
    expect(files(scanner(dir, { cache }))).toEqual(['B@more/b.ts'])
  })
})
