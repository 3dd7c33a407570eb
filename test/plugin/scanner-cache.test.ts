import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PluginContext } from '../../plugin/core/context.js'
import { resolveOptions } from '../../plugin/core/options.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { fixture, statuses } from '../helpers.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(fixture('..'), '.tmp-cache-'))
  cpSync(fixture('basic'), root, { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('incremental scanning', () => {
  it('a full re-scan re-parses only files whose content changed (content hash, not mtime)', () => {
    const scanner = new Scanner(resolveOptions({ root, dts: false, cache: false }))
    scanner.scan()
    expect(scanner.stats.parsed).toBe(scanner.stats.files)
    scanner.scan()
    expect(scanner.stats.parsed).toBe(0)
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, readFileSync(file, 'utf8')) // touched, same content
    scanner.scan()
    expect(scanner.stats.parsed).toBe(0)
    writeFileSync(file, readFileSync(file, 'utf8').replace('@EntityBackup()', '@EntityBackup({ encrypt: true })'))
    const registry = scanner.scan()
    expect(scanner.stats.parsed).toBe(1)
    expect(registry.entities.find((e) => e.name === 'Media')!.policy).toEqual({ encrypt: true, includeSchema: true })
  })

  it('update() re-scans one changed file, and handles added and deleted files and scope files', () => {
    const scanner = new Scanner(resolveOptions({ root, dts: false, cache: false }))
    scanner.scan()
    const unmarked = join(root, 'src/models/unmarked.ts')
    writeFileSync(unmarked, "import { Entity, EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class UnmarkedEntity extends Entity<UnmarkedEntity> {}\n")
    let registry = scanner.update(unmarked)
    expect(scanner.stats.parsed).toBe(1)
    expect(statuses(registry).UnmarkedEntity).toBe('included')
    const added = join(root, 'src/models/added.ts')
    writeFileSync(added, "import { Entity } from 'koan-backup'\nexport class Added extends Entity<Added> {}\n")
    registry = scanner.update(added)
    expect(statuses(registry).Added).toBe('uncovered')
    writeFileSync(join(root, 'src/models/backup.scope.ts'), "import { defineBackupScope } from 'koan-backup'\nexport default defineBackupScope({ mode: 'all' })\n")
    registry = scanner.update(join(root, 'src/models/backup.scope.ts'))
    expect(statuses(registry).Added).toBe('included')
    unlinkSync(added)
    registry = scanner.update(added)
    expect(statuses(registry).Added).toBeUndefined()
  })
})

describe('rebuilds without watchChange (esbuild, rollup, webpack): each full scan checks the listing', () => {
  for (const cache of [true, false]) {
    it(`a file added, a file removed and a tsconfig edit are seen by the next refresh() (${cache ? 'with' : 'without'} a cache)`, () => {
      const ctx = new PluginContext({ root, dts: false, report: false, cache: cache ? join(root, '.cache/facts.json') : false })
      const names = () => {
        ctx.refresh()
        return ctx.registry.entities.map((e) => e.name).sort()
      }
      const first = names()
      const added = join(root, 'src/models/added.ts')
      writeFileSync(added, "import { Entity, EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class Added extends Entity<Added> {}\n")
      expect(names()).toEqual([...first, 'Added'].sort())
      unlinkSync(added)
      expect(names()).toEqual(first)
      const tsconfig = join(root, 'tsconfig.json')
      const config = JSON.parse(readFileSync(tsconfig, 'utf8')) as { include: string[] }
      writeFileSync(tsconfig, JSON.stringify({ ...config, include: ['src/public', 'src/main.ts'] }))
      // unlisted now: the unmarked entity goes; User stays, imported by main.ts (the import closure)
      expect(names()).not.toContain('UnmarkedEntity')
      expect(names()).toContain('User')
      writeFileSync(tsconfig, JSON.stringify(config))
      expect(names()).toEqual(first)
    })
  }
})

describe('watch mode: a tsconfig edit', () => {
  it('reaches the scan through update(), and the files it brings back are read', () => {
    const tsconfig = join(root, 'tsconfig.json')
    const ctx = new PluginContext({ root, dts: false, report: false, cache: false })
    const names = () => ctx.registry.entities.map((e) => e.name).sort()
    const all = names()
    expect(all).toContain('User')
    expect(all).toContain('UnmarkedEntity')
    const config = JSON.parse(readFileSync(tsconfig, 'utf8')) as { include: string[] }
    writeFileSync(tsconfig, JSON.stringify({ ...config, include: ['src/public', 'src/main.ts'] }))
    expect(ctx.update(tsconfig)).toBe(true)
    expect(names()).not.toContain('UnmarkedEntity')
    expect(names()).toContain('User')
    writeFileSync(tsconfig, JSON.stringify(config))
    expect(ctx.update(tsconfig)).toBe(true)
    expect(names()).toEqual(all)
  })
})

describe('generated .d.ts', () => {
  it('is written only when its content changed', () => {
    const dts = join(root, 'koan-backup.d.ts')
    const ctx = new PluginContext({ root, report: false })
    ctx.refresh()
    const first = readFileSync(dts, 'utf8')
    expect(first).toContain("declare module 'koan-backup/registry'")
    expect(first).toContain('UnmarkedEntity: { fullName: "src.models.unmarked.UnmarkedEntity"; status: "uncovered"')
    // unchanged content: not rewritten (the old mtime stays)
    const old = new Date('2000-01-01T00:00:00Z')
    utimesSync(dts, old, old)
    ctx.refresh()
    expect(statSync(dts).mtimeMs).toBe(old.getTime())
    // a changed registry rewrites it
    writeFileSync(join(root, 'src/models/unmarked.ts'), '// gone\n')
    ctx.update(join(root, 'src/models/unmarked.ts'))
    expect(statSync(dts).mtimeMs).not.toBe(old.getTime())
    expect(readFileSync(dts, 'utf8')).not.toContain('UnmarkedEntity')
  })
  it('dts: false writes nothing', () => {
    const ctx = new PluginContext({ root, dts: false, report: false })
    ctx.refresh()
    expect(() => readFileSync(join(root, 'koan-backup.d.ts'))).toThrow()
  })
})

describe('report', () => {
  it('is printed once per distinct inventory', () => {
    const lines: string[] = []
    const ctx = new PluginContext({ root, dts: false, logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) } })
    ctx.refresh(); ctx.report()
    ctx.refresh(); ctx.report()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('UnmarkedEntity → no backup coverage (src/models/unmarked.ts:3:14)')
    writeFileSync(join(root, 'src/models/unmarked.ts'), '// gone\n')
    ctx.update(join(root, 'src/models/unmarked.ts')); ctx.report()
    expect(lines).toHaveLength(2)
  })
})

describe('facts cache between processes', () => {
  const run = (cache: string) => {
    const script = `import { resolveOptions } from ${JSON.stringify(fixture('../../dist/plugin/core/options.js'))}
import { Scanner } from ${JSON.stringify(fixture('../../dist/plugin/core/scan/scanner.js'))}
const s = new Scanner(resolveOptions({ root: ${JSON.stringify(root)}, dts: false, cache: ${JSON.stringify(cache)} }))
const r = s.scan()
console.log(JSON.stringify({ parsed: s.stats.parsed, files: s.stats.files, entities: r.entities.length }))`
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { parsed: number; files: number; entities: number }
  }

  it('a new process parses only what changed since the cached scan; a corrupt cache is ignored', () => {
    const cache = join(root, '.cache/facts.json')
    const first = run(cache)
    expect(first.parsed).toBe(first.files)
    expect(run(cache)).toEqual({ ...first, parsed: 0 })
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, readFileSync(file, 'utf8') + '\n// edited\n')
    expect(run(cache).parsed).toBe(1)
    // the index and the facts file are read apart: either one corrupt costs only what it held
    writeFileSync(cache, '{ not json')
    expect(run(cache)).toEqual({ ...first, parsed: 0 })
    writeFileSync(join(root, '.cache/facts.data.json'), '{ not json')
    writeFileSync(cache, '{ not json')
    expect(run(cache)).toEqual(first)
  })
})

describe('unchanged files are not read again', () => {
  /** Every file of the project last modified `ageMs` ago. */
  const age = (ageMs: number) => {
    const when = new Date(Date.now() - ageMs)
    // (after a scan: the files it reads beyond the listing are known then)
    const scanner = new Scanner(resolveOptions({ root, dts: false, cache: false }))
    scanner.scan()
    for (const f of scanner.watchFiles()) utimesSync(f, when, when)
  }
  const cacheOptions = () => resolveOptions({ root, dts: false, cache: join(root, '.cache-stamps/facts.json') })

  it('a file with the size, mtime and inode recorded when its facts were read is taken from the cache, unread', () => {
    age(60_000)
    const first = new Scanner(cacheOptions())
    const registry = first.scan()
    expect(first.stats.read).toBe(first.stats.files)
    const second = new Scanner(cacheOptions())
    expect(second.scan()).toEqual(registry)
    expect(second.stats).toMatchObject({ read: 0, parsed: 0 })
    // an edit moves the mtime: that file (only) is read, and its new facts are used
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('@EntityBackup()', '@EntityBackup({ encrypt: true })'))
    const third = new Scanner(cacheOptions())
    expect(third.scan().entities.find((e) => e.name === 'Media')!.policy?.encrypt).toBe(true)
    expect(third.stats).toMatchObject({ read: 1, parsed: 1 })
  })

  it('a change that keeps the mtime but not the size is seen', () => {
    age(60_000)
    new Scanner(cacheOptions()).scan()
    const file = join(root, 'src/models/media.ts')
    const { mtime } = statSync(file)
    writeFileSync(file, readFileSync(file, 'utf8').replace('@EntityBackup()', '@EntityBackup({ encrypt: true })'))
    utimesSync(file, mtime, mtime)
    const again = new Scanner(cacheOptions())
    expect(again.scan().entities.find((e) => e.name === 'Media')!.policy?.encrypt).toBe(true)
    expect(again.stats.read).toBe(1)
  })

  it('files modified in the last seconds are read every time (a second change could keep the same mtime)', () => {
    age(0)
    new Scanner(cacheOptions()).scan()
    const again = new Scanner(cacheOptions())
    again.scan()
    expect(again.stats.read).toBe(again.stats.files)
    expect(again.stats.parsed).toBe(0)
  })

  it('without a cache every file is read', () => {
    age(60_000)
    const options = resolveOptions({ root, dts: false, cache: false })
    new Scanner(options).scan()
    const again = new Scanner(options)
    again.scan()
    expect(again.stats.read).toBe(again.stats.files)
  })
})

describe('results cache: a scan whose inputs were linked before', () => {
  const run = (cache: string | false) => {
    const script = `import { createHash } from 'node:crypto'
import { PluginContext } from ${JSON.stringify(fixture('../../dist/plugin/core/context.js'))}
const ctx = new PluginContext({ root: ${JSON.stringify(root)}, dts: false, report: false, cache: ${JSON.stringify(cache)} })
const code = ctx.moduleCode()
const sha = (s) => createHash('sha256').update(s).digest('hex')
console.log(JSON.stringify({ cached: ctx.stats.cached === true, parsed: ctx.stats.parsed, registry: sha(JSON.stringify(ctx.registry)), code: sha(code) }))`
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { cached: boolean; parsed: number; registry: string; code: string }
  }

  it('a new process with unchanged inputs takes the registry and module from the cache, identical to a fresh link', () => {
    const cache = join(root, '.cache/facts.json')
    const fresh = run(false)
    expect(fresh.cached).toBe(false)
    const first = run(cache)
    expect(first).toMatchObject({ cached: false, registry: fresh.registry, code: fresh.code })
    const second = run(cache)
    expect(second).toEqual({ cached: true, parsed: 0, registry: fresh.registry, code: fresh.code })
    expect(statSync(join(root, '.cache/facts.results.json')).size).toBeGreaterThan(0)
  })

  it('any change of input is a new key: an edited file, a lockfile; a corrupt results file is ignored', () => {
    const cache = join(root, '.cache/facts.json')
    run(cache)
    expect(run(cache).cached).toBe(true)
    // an edit that changes the registry, and one that only changes the file's text
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('@EntityBackup()', '@EntityBackup({ encrypt: true })'))
    const edited = run(cache)
    expect(edited.cached).toBe(false)
    expect(edited.registry).toBe(run(false).registry)
    expect(run(cache).cached).toBe(true)
    // a package upgrade can change types read from node_modules: the lockfile is part of the key
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}\n')
    expect(run(cache).cached).toBe(false)
    expect(run(cache).cached).toBe(true)
    writeFileSync(join(root, '.cache/facts.results.json'), '{ not json')
    expect(run(cache)).toMatchObject({ cached: false, registry: edited.registry })
    // a results file cut short (its modules end before the header says) is ignored too
    expect(run(cache).cached).toBe(true)
    const results = readFileSync(join(root, '.cache/facts.results.json'), 'utf8')
    writeFileSync(join(root, '.cache/facts.results.json'), results.slice(0, results.length - 100))
    expect(run(cache)).toMatchObject({ cached: false, registry: edited.registry })
  })

  /**
   * A fresh checkout of the project at the same path (the same texts, new mtimes and inodes) with the
   * cache folder restored, as a CI job gets: the folder copied away and back (a copy keeps no timestamps).
   */
  const freshCheckout = () => {
    const saved = mkdtempSync(join(fixture('..'), '.tmp-saved-'))
    try {
      cpSync(root, saved, { recursive: true })
      rmSync(root, { recursive: true, force: true })
      cpSync(saved, root, { recursive: true })
    } finally {
      rmSync(saved, { recursive: true, force: true })
    }
  }

  it('a fresh checkout with the cache folder restored parses nothing, and with its link cached needs no facts', () => {
    const cache = join(root, '.cache/facts.json')
    // the lockfile is in the key by content: its new mtime is no change
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}\n')
    const first = run(cache)
    const mtime = statSync(join(root, 'package-lock.json')).mtimeMs
    freshCheckout()
    expect(statSync(join(root, 'package-lock.json')).mtimeMs).not.toBe(mtime)
    // the facts file unreadable: a cached link must not need it (reading it cost a fresh process ~30 ms at 1000 files)
    writeFileSync(join(root, '.cache/facts.data.json'), '{ not json')
    expect(run(cache)).toEqual({ cached: true, parsed: 0, registry: first.registry, code: first.code })
  })

  it('a fresh checkout with the cache folder restored and one file edited parses that file alone', () => {
    const cache = join(root, '.cache/facts.json')
    run(cache)
    freshCheckout()
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('@EntityBackup()', '@EntityBackup({ encrypt: true })'))
    const edited = run(cache)
    expect(edited).toMatchObject({ cached: false, parsed: 1, registry: run(false).registry })
  })

  /** The project moved to another path with its cache folder (a cache restored into a checkout at another path). */
  const moveCheckout = () => {
    const to = mkdtempSync(join(fixture('..'), '.tmp-moved-'))
    cpSync(root, to, { recursive: true })
    rmSync(root, { recursive: true, force: true })
    root = to
  }

  it('a checkout at another path with the cache folder restored takes the cached link, its paths moved to the new root', () => {
    const cache = () => join(root, '.cache/facts.json')
    run(cache())
    moveCheckout()
    // a fresh link at the new path, apart, for comparison: the module imports the entity files from there
    const fresh = run(false)
    expect(fresh.cached).toBe(false)
    expect(run(cache())).toEqual({ cached: true, parsed: 0, registry: fresh.registry, code: fresh.code })
    // an edit after the move: the facts of the other files come from the moved facts file
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('@EntityBackup()', '@EntityBackup({ encrypt: true })'))
    expect(run(cache())).toMatchObject({ cached: false, parsed: 1, registry: run(false).registry })
  })

  it('after a move, the transform takes the cached edits under the new root (in process: the caches written by this build of the plugin)', async () => {
    const cache = () => join(root, '.cache-in-process/facts.json')
    const before = new PluginContext({ root, dts: false, report: false, cache: cache() })
    before.refresh()
    before.moduleCode()
    // the results file is written once the hook is done
    await new Promise((done) => setImmediate(done))
    moveCheckout()
    const ctx = new PluginContext({ root, dts: false, report: false, cache: cache() })
    ctx.refresh()
    expect(ctx.stats).toMatchObject({ cached: true, parsed: 0 })
    const fresh = new PluginContext({ root, dts: false, report: false, cache: false })
    expect(ctx.moduleCode()).toBe(fresh.moduleCode())
    expect(ctx.moduleCode()).toContain(root)
    for (const name of ['media.ts', 'user.ts']) {
      const file = join(root, 'src/models', name)
      const code = readFileSync(file, 'utf8')
      const out = ctx.transform(code, file)
      expect(code).toMatch(/@EntityBackup/)
      expect(out?.code).not.toMatch(/@EntityBackup/)
      expect(out?.code).toBe(fresh.transform(code, file)?.code)
    }
  })

  it('a cached registry that names its root (a message quoting a path) is linked again after a move', () => {
    rmSync(join(root, 'src'), { recursive: true, force: true })
    const cache = () => join(root, '.cache/facts.json')
    const first = run(cache())
    expect(run(cache()).cached).toBe(true)
    moveCheckout()
    const moved = run(cache())
    expect(moved.cached).toBe(false)
    expect(moved.registry).not.toBe(first.registry)
    expect(moved.registry).toBe(run(false).registry)
  })

  it('an entry of the results file not of the form written (a field missing or of another type) is left out, not a crash', () => {
    const cache = join(root, '.cache/facts.json')
    const first = run(cache)
    const file = join(root, '.cache/facts.results.json')
    const text = readFileSync(file, 'utf8')
    const end = text.indexOf('\n')
    const header = JSON.parse(text.slice(0, end)) as { entries: Array<Record<string, unknown>> }
    const damaged: Array<(e: Record<string, unknown>) => void> = [
      (e) => delete e.root,
      (e) => (e.root = 42),
      (e) => (e.resolutions = 'x'),
      (e) => (e.edits = { [Object.keys(e.edits as object)[0]!]: { strip: [[1, 'a']], registryOnly: [] } }),
      (e) => (e.texts = { 'registry-only': [0] }),
    ]
    for (const damage of damaged) {
      const copy = structuredClone(header)
      damage(copy.entries[0]!)
      writeFileSync(file, JSON.stringify(copy) + text.slice(end))
      expect(run(cache)).toMatchObject({ cached: false, parsed: 0, registry: first.registry, code: first.code })
    }
  })

  it('results and facts written by another build of the plugin (same version) are not reused', () => {
    const cache = join(root, '.cache/facts.json')
    run(cache)
    expect(run(cache)).toMatchObject({ cached: true, parsed: 0 })
    const results = join(root, '.cache/facts.results.json')
    const facts = join(root, '.cache/facts.json')
    // every cache file opens with its JSON header (the results file's modules follow it, after a line break)
    const retag = (file: string) => {
      const text = readFileSync(file, 'utf8')
      const end = text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')
      const data = JSON.parse(text.slice(0, end)) as { tool: string }
      expect(data.tool).toMatch(/^koan-backup@[^#]+#[0-9a-f]{16}#/)
      writeFileSync(file, JSON.stringify({ ...data, tool: data.tool.replace(/#[0-9a-f]{16}#/, '#0000000000000000#') }) + text.slice(end))
    }
    retag(results)
    retag(facts)
    retag(join(root, '.cache/facts.data.json'))
    const again = run(cache)
    expect(again.cached).toBe(false)
    expect(again.parsed).toBeGreaterThan(0)
  })

  it('in one process: a second scanner of the same inputs reuses the result; the first update after it links in full', () => {
    const options = resolveOptions({ root, dts: false, cache: join(root, '.cache/facts.json') })
    const a = new Scanner(options)
    const first = a.scan()
    const b = new Scanner(options)
    const second = b.scan()
    expect(b.stats.cached).toBe(true)
    expect(second).toEqual(first)
    expect(Object.isFrozen(second) && Object.isFrozen(second.entities[0]!.policy)).toBe(true) // no caller can change the cached one
    expect(new Scanner(options).scan()).toBe(second) // parsed once per process
    const file = join(root, 'src/models/unmarked.ts')
    writeFileSync(file, "import { Entity, EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class UnmarkedEntity extends Entity<UnmarkedEntity> {}\n")
    const updated = b.update(file)
    expect(statuses(updated).UnmarkedEntity).toBe('included')
    expect(updated).toEqual(new Scanner(resolveOptions({ root, dts: false, cache: false })).scan())
  })
})

describe('incremental analysis gives the same registry as a full scan', () => {
  const edits: Array<[string, string, (s: string) => string]> = [
    ['inheritance', 'src/base/audited.ts', (s) => s.replace('extends KoanEntity<T>', '')],
    ['inheritance', 'src/base/audited.ts', (s) => s.replace('export abstract class Audited<T>  {', 'export abstract class Audited<T> extends KoanEntity<T> {')],
    ['inheritance', 'src/base/index.ts', (s) => s.replace("export * from './timestamped'", '')],
    ['inheritance', 'src/models/plain.ts', (s) => s.replace('Versioned(KoanBase)', 'Versioned(Object)')],
    ['fields', 'src/shared/types.ts', (s) => s.replace('zip?: string', 'zip?: number')],
    ['fields', 'src/shared/types.ts', (s) => s.replace("export enum Status { Draft = 'draft', Published = 'published' }", "export enum Status { Draft = 'draft', Published = 'published', Archived = 'archived' }")],
    ['fields', 'src/models/base.ts', (s) => s.replace("  id = ''\n", "  id = 0\n")],
    ['scopes', 'src/secure/backup.scope.mts', (s) => s.replace("mode: 'none'", "mode: 'all'")],
    // types shared by several files' entities (resolved once per link): each edit reaches every entity using them
    ['shared-types', 'src/shared/types.ts', (s) => s.replace('  amount: number\n', '  amount: string\n')],
    ['shared-types', 'src/shared/types.ts', (s) => s.replace("export type Currency = 'EUR' | 'USD'", "export type Currency = 'EUR' | 'USD' | 'GBP'")],
    ['shared-types', 'src/shared/types.ts', (s) => s.replace('  fn: () => void\n', '')],
    ['shared-types', 'src/shared/types.ts', (s) => s.replace('class Hidden {', 'export class Hidden {')],
    ['shared-types', 'src/shared/types.ts', (s) => s.replace('children: Tree[]', 'children: Tree[] | null')],
    ['shared-types', 'src/shared/types.ts', (s) => s.replace('export type Loop2 = Loop | number', 'export type Loop2 = number')],
    ['shared-types', 'src/models/customer.ts', (s) => s.replace('  balance!: Money\n', '  balance!: Money\n  size!: import(\'../shared\').Dimensions\n')],
    ['shared-types', 'src/models/order.ts', (s) => s.replace('  total!: Money\n', '')],
    ['shared-types', 'src/shared/index.ts', (s) => s.replace("export * from './types'", "export { Dimensions, Status } from './types'")],
    ['shared-types', 'src/lineage/base.ts', (s) => s.replace('export abstract class Base<T> extends Entity<T> {', 'export abstract class Base<T> {')],
    // Doc is an entity by the type checker's answer only: a file that uses Doc's shared resolution depends on every file
    ['shared-types', 'src/mixin/mix.ts', (s) => s.replace('abstract class WithVersion extends base {', 'abstract class WithVersion {')],
    // Priced copies the fields of Labelled, which the first file made inside an alias: Last must still depend on kind.ts
    ['shared-types', 'src/extends/kind.ts', (s) => s.replace("export type Kind = 'a' | 'b'", "export type Kind = 'a' | 'b' | 'c'")],
  ]
  for (const name of ['inheritance', 'fields', 'scopes', 'shared-types']) {
    it(`${name}: after each edit, update() equals a fresh scan`, () => {
      const dir = mkdtempSync(join(fixture('..'), '.tmp-incr-'))
      try {
        cpSync(fixture(name), dir, { recursive: true })
        const incremental = new Scanner(resolveOptions({ root: dir, dts: false, cache: false }))
        incremental.scan()
        for (const [fixtureName, rel, edit] of edits) {
          if (fixtureName !== name) continue
          const file = join(dir, rel)
          const before = readFileSync(file, 'utf8')
          writeFileSync(file, edit(before))
          expect(readFileSync(file, 'utf8'), `${rel} edit applies`).not.toBe(before)
          const updated = incremental.update(file)
          const fresh = new Scanner(resolveOptions({ root: dir, dts: false, cache: false })).scan()
          expect(updated, `after editing ${rel}`).toEqual(fresh)
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})
