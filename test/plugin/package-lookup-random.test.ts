/**
 * Seeded random workspace packages and `imports` maps: wherever the package lookups answer without TypeScript, the
 * answer is the source file `ts.resolveModuleName` gives. A failure prints the seed, the package.json files and the
 * files of the tree.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadTypeScript, type ts } from '../../plugin/core/scan/morph.js'
import { PackageLookups } from '../../plugin/core/scan/resolve-package.js'
import { moduleResolutionOf, sourceLookup } from '../../plugin/core/scan/resolve-relative.js'
import { seeded } from '../random.js'

const root = realpathSync(mkdtempSync(join(tmpdir(), 'kb-packages-random-'))).replaceAll('\\', '/')
afterAll(() => rmSync(root, { recursive: true, force: true }))

const FILES = [
  'src/index.ts', 'src/index.tsx', 'src/user.ts', 'src/user.js', 'src/user.d.ts', 'src/sub/index.ts', 'src/sub/user.ts',
  'src/x.mts', 'src/x.d.mts', 'dist/index.js', 'dist/index.d.ts', 'dist/user.js', 'dist/user.d.ts', 'index.ts', 'index.d.ts',
  'index.js', 'lib/main.ts', 'lib/main.js', 'user.ts', 'sub/user.ts',
]
const TARGETS = [
  './src/index.ts', './src/index.js', './src/user.ts', './src/user.js', './dist/index.js', './dist/index.d.ts', './dist/user.js',
  './index.ts', './index.js', './lib/main.js', './src/x.mjs', './src/x.mts', './src/sub/index.ts', './missing.ts', './src/index',
]
const PATTERN_TARGETS = ['./src/*.ts', './src/*.js', './src/*', './dist/*.js', './dist/*.d.ts', './*.ts', './src/*/index.ts', './src/sub/*.ts']
const FIELD_VALUES = ['src/index.ts', './src/index.ts', 'dist/index.js', './dist/index.d.ts', 'lib/main', 'lib', './index.js', 'src', 'missing.js', 'src/x.mts']
const CONDITIONS = ['types', 'import', 'require', 'default', 'node', 'source', 'browser']
const SPECIFIERS = ['', '/user', '/sub', '/user.js', '/x', '/sub/user', '/src/user', '/missing']
const IMPORTS = ['#a', '#b/user', '#b/sub/user', '#b/x.mjs', '#c', '#d/user.js']
/** The app's own name (imports of it go through its exports), one of them a workspace package's, one empty (it starts every specifier). */
const APP_NAMES = ['app', '@w/app', '@w/p1', 'app/sub', '']
const SELF = ['app', 'app/user', 'app/sub/user', 'app/x', '@w/app', '@w/app/user', 'app/sub']

type Random = () => number
const pick = <T,>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const chance = (r: Random, p: number) => r() < p
function shuffled<T>(r: Random, xs: readonly T[]): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** A target: a path, or conditions in a random order (nested once at most). */
function target(r: Random, pattern: boolean, depth = 0): unknown {
  if (depth > 0 || chance(r, 0.5)) return pick(r, pattern ? PATTERN_TARGETS : TARGETS)
  const entries = shuffled(r, CONDITIONS).slice(0, 1 + Math.floor(r() * 3)).map((c) => [c, target(r, pattern, depth + 1)])
  return Object.fromEntries(entries)
}

function exportsMap(r: Random): unknown {
  const shape = r()
  if (shape < 0.2) return pick(r, TARGETS)
  if (shape < 0.4) return target(r, false)
  const map: Record<string, unknown> = {}
  if (chance(r, 0.8)) map['.'] = target(r, false)
  if (chance(r, 0.5)) map['./user'] = target(r, false)
  if (chance(r, 0.5)) map['./*'] = target(r, true)
  if (chance(r, 0.3)) map['./sub/*'] = target(r, true)
  if (chance(r, 0.2)) map['./x'] = target(r, false)
  return map
}

function importsMap(r: Random): Record<string, unknown> {
  const map: Record<string, unknown> = {}
  if (chance(r, 0.7)) map['#a'] = target(r, false)
  if (chance(r, 0.7)) map['#b/*'] = target(r, true)
  if (chance(r, 0.3)) map['#b/sub/*'] = target(r, true)
  if (chance(r, 0.5)) map['#c'] = { [pick(r, CONDITIONS)]: pick(r, TARGETS), default: pick(r, TARGETS) }
  if (chance(r, 0.4)) map['#d/*'] = pick(r, PATTERN_TARGETS)
  return map
}

/** A tree under `dir`: the app, with an imports map maybe, and two workspace packages linked from its node_modules. */
function makeTree(r: Random, dir: string): string[] {
  const shown: string[] = []
  const write = (rel: string, text: string) => {
    const file = join(dir, rel)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  write('app/src/a.ts', '')
  for (const rel of shuffled(r, FILES).slice(0, 6)) write(`app/${rel}`, '')
  if (chance(r, 0.8)) {
    const manifest = JSON.stringify({ name: pick(r, APP_NAMES), imports: importsMap(r), ...(chance(r, 0.6) ? { exports: exportsMap(r) } : {}) })
    write('app/package.json', manifest)
    shown.push(`app/package.json ${manifest}`)
  }
  for (const name of ['p1', 'p2']) {
    const files = shuffled(r, FILES).slice(0, 3 + Math.floor(r() * 8))
    for (const rel of files) write(`packages/${name}/${rel}`, '')
    const manifest: Record<string, unknown> = { name: `@w/${name}` }
    if (chance(r, 0.6)) manifest.exports = exportsMap(r)
    for (const field of ['main', 'types', 'typings']) if (chance(r, 0.35)) manifest[field] = pick(r, FIELD_VALUES)
    if (chance(r, 0.9)) write(`packages/${name}/package.json`, JSON.stringify(manifest))
    shown.push(`packages/${name}: ${JSON.stringify(manifest)} files ${files.join(', ')}`)
    const at = chance(r, 0.7) ? `app/node_modules/@w/${name}` : `node_modules/@w/${name}`
    mkdirSync(dirname(join(dir, at)), { recursive: true })
    symlinkSync(join(dir, 'packages', name), join(dir, at), 'dir')
  }
  return shown
}

const CONFIGS: Array<[string, ts.CompilerOptions]> = [
  ['bundler', { module: 99, moduleResolution: 100 }],
  ['node10', { module: 1, moduleResolution: 2 }],
  ['bundler, customConditions', { module: 99, moduleResolution: 100, customConditions: ['source'] }],
]
const PACKAGE_CONFIGS: Array<[string, ts.CompilerOptions, boolean?]> = [...CONFIGS, ['bundler, allowJs', { module: 99, moduleResolution: 100, allowJs: true }],
  ['node16, a CommonJS module', { module: 100, moduleResolution: 3 }, false], ['nodenext, an ES module', { module: 199, moduleResolution: 99, customConditions: ['source'] }, true]]

/**
 * Compares the lookups with `ts.resolveModuleName` on `seeds` random trees: the source file each specifier names, the
 * file of any kind found through `paths`, `baseUrl`, `imports` or the package's own `exports`, and the paths recorded
 * missing. `casesOf` gives each tree's configurations with their specifiers. Returns how many were answered without
 * TypeScript and how many ended at a source.
 */
function differential(seeds: number, seedOf: (n: number) => number, prefix: string, casesOf: (r: Random, dir: string, shown: string[]) => Array<[string, ts.CompilerOptions, string[], boolean?]>) {
  const ts = loadTypeScript()
  const failures: string[] = []
  let answered = 0
  let followed = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const r = seeded(seedOf(seed))
    const dir = `${root}/${prefix}${seed}`
    const shown = makeTree(r, dir)
    const fromFile = `${dir}/app/src/a.ts`
    for (const [label, options, specifiers, esm] of casesOf(r, dir, shown)) {
      const lookups = new PackageLookups(options, moduleResolutionOf(options))
      const mode = esm === undefined ? undefined : esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS
      for (const specifier of specifiers) {
        const got = lookups.lookup(specifier, dirname(fromFile), esm ?? null)
        if (got.file === undefined) continue
        answered++
        const resolved = ts.resolveModuleName(specifier, fromFile, options, ts.sys, undefined, undefined, mode).resolvedModule?.resolvedFileName ?? null
        const want = resolved && /\.(c|m)?tsx?$/.test(resolved) && !/\.d\.(c|m)?ts$/.test(resolved) && !resolved.includes('/node_modules/') ? resolved : null
        if (want !== null) followed++
        if ((got.file !== want || (got.hit != null && got.hit !== resolved)) && failures.length < 5) {
          failures.push(`seed ${seed}, ${label}, ${specifier}: got ${got.file?.slice(dir.length)} (hit ${got.hit?.slice(dir.length)}), TypeScript ${resolved?.slice(dir.length)}\n  ${shown.join('\n  ')}`)
        }
        for (const path of got.missing) if (existsSync(path) && failures.length < 5) failures.push(`seed ${seed}, ${label}, ${specifier}: ${path.slice(dir.length)} recorded missing`)
      }
    }
  }
  expect(failures).toEqual([])
  return { answered, followed }
}

describe('package lookups on seeded random trees give the source file TypeScript gives', () => {
  it('300 trees (KB_SEEDS for more) × 6 configurations × 29 specifiers', () => {
    const seeds = Number(process.env.KB_SEEDS ?? 300)
    const specifiers = [...['@w/p1', '@w/p2'].flatMap((p) => SPECIFIERS.map((s) => p + s)), ...IMPORTS, ...SELF]
    const { answered, followed } = differential(seeds, (n) => n, 't', () => PACKAGE_CONFIGS.map(([label, options, esm]) => [label, options, specifiers, esm]))
    // most are answered without TypeScript, and many end at a source
    expect(answered).toBeGreaterThan(seeds * 6 * 29 * 0.7)
    expect(followed).toBeGreaterThan(seeds * 6)
  })
})

const PATH_KEYS = ['@/*', '~/*', '@w/*', 'lib/*', '*', 'user', '@w/p1', 'src/*', 'src/*.js', 'src/*r']
const SUBSTITUTIONS = ['./src/*', './*', './dist/*.js', './src/*.ts', './lib/*', './nothere/*', 'src/sub/*', '../packages/p1/src/*', './src/user.ts', './src/*/index', './*.d.ts',
  // absolute (what `${configDir}/src/*` becomes): the tree's app folder
  '<app>/src/*', '<app>/src/user.ts']
const MAPPED = ['@/user', '@/sub/user', '@/index', '@/sub', '~/x', '~/user.js', 'lib/main', 'src/user', 'src/x.mjs', 'user', 'index', '@w/p1', '@w/p1/user', 'dist/user.js', 'sub', 'nothing', 'src/user.js']

/** A random `paths` map (keys in a random order, one or two substitutions each). */
function pathsMap(r: Random): Record<string, string[]> {
  const map: Record<string, string[]> = {}
  for (const key of shuffled(r, PATH_KEYS).slice(0, 1 + Math.floor(r() * 4))) map[key] = shuffled(r, SUBSTITUTIONS).slice(0, 1 + Math.floor(r() * 2))
  return map
}

describe('`paths` and `baseUrl` on seeded random trees give the source file TypeScript gives', () => {
  it('300 trees (KB_SEEDS for more) × 4 configurations × 17 specifiers, with a random paths map and base', () => {
    const seeds = Number(process.env.KB_SEEDS ?? 300)
    const { answered, followed } = differential(seeds, (n) => n * 104729, 'm', (r, dir, shown) => {
      const paths = JSON.parse(JSON.stringify(pathsMap(r)).replaceAll('<app>', `${dir}/app`)) as Record<string, string[]>
      const baseUrl = pick(r, [undefined, `${dir}/app`, `${dir}/app/src`])
      shown.push(`paths ${JSON.stringify(paths)} baseUrl ${baseUrl?.slice(dir.length)}`)
      return [
        ['bundler', { module: 99, moduleResolution: 100, paths, pathsBasePath: `${dir}/app`, ...(baseUrl ? { baseUrl } : {}) }, MAPPED],
        ['node10', { module: 1, moduleResolution: 2, paths, pathsBasePath: `${dir}/app`, ...(baseUrl ? { baseUrl } : {}) }, MAPPED],
        ['bundler, baseUrl alone', { module: 99, moduleResolution: 100, baseUrl: baseUrl ?? `${dir}/app` }, MAPPED],
        ['nodenext, an ES module', { module: 199, moduleResolution: 99, paths, pathsBasePath: `${dir}/app`, ...(baseUrl ? { baseUrl } : {}) }, MAPPED, true],
      ]
    })
    expect(answered).toBeGreaterThan(seeds * 4 * 17 * 0.7)
    expect(followed).toBeGreaterThan(seeds * 3)
  })
})

const REL_FILES = [
  'a.ts', 'a.tsx', 'a.d.ts', 'a.js', 'a.jsx', 'a/index.ts', 'a/index.tsx', 'a/index.d.ts', 'a/index.js', 'a/package.json',
  'b.mts', 'b.d.mts', 'b.mjs', 'c.cts', 'c.d.cts', 'user.entity.ts', 'user.d.entity.ts', 'user.entity/index.ts', 'd.js.ts',
  'styles.css', 'styles.d.css.ts', 'e.json', 'e.d.json.ts', 'f/g.ts', 'f/index.ts', 'f.d.ts', 'h.tsx', 'h.d.ts',
]
const REL_SPECIFIERS = [
  './a', './a.js', './a.ts', './a.tsx', './a.jsx', './a.d.ts', './a/', './a/index', './a/index.js', './b', './b.mjs', './b.mts',
  './b.d.mts', './b.js', './c', './c.cjs', './c.cts', './user.entity', './user.entity.js', './d.js', './d', './styles.css',
  './e.json', './f', './f/', './f/g', './f/g.js', './h', './h.js', './h.jsx', './h.ts', '.', './missing', './missing.js',
]

/** Relative lookups' configurations, with the importing file's format under node16 and nodenext. */
const REL_CONFIGS: Array<[string, ts.CompilerOptions, boolean | undefined]> = [
  ...CONFIGS.map(([label, options]): [string, ts.CompilerOptions, undefined] => [label, options, undefined]),
  ['node16, a CommonJS module', { module: 100, moduleResolution: 3 }, false],
  ['nodenext, an ES module', { module: 199, moduleResolution: 99 }, true],
]

describe('relative lookups on seeded random folders give the source file TypeScript gives', () => {
  it('300 folders (KB_SEEDS for more) × 5 configurations × 34 specifiers', () => {
    const ts = loadTypeScript()
    const failures: string[] = []
    let followed = 0
    const seeds = Number(process.env.KB_SEEDS ?? 300)
    for (let seed = 1; seed <= seeds; seed++) {
      const r = seeded(seed * 7919)
      const dir = `${root}/r${seed}`
      const files = shuffled(r, REL_FILES).slice(0, 3 + Math.floor(r() * 12))
      for (const rel of files) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true })
        writeFileSync(join(dir, rel), rel.endsWith('package.json') ? JSON.stringify({ types: './index.ts' }) : '')
      }
      writeFileSync(join(dir, 'from.ts'), '')
      for (const [label, options, esm] of REL_CONFIGS) {
        for (const specifier of REL_SPECIFIERS) {
          const got = sourceLookup(specifier, dir, existsSync, moduleResolutionOf(options), esm)
          if (got === undefined) continue
          const mode = esm === undefined ? undefined : esm ? 99 : 1
          const resolved = ts.resolveModuleName(specifier, `${dir}/from.ts`, options, ts.sys, undefined, undefined, mode as never).resolvedModule?.resolvedFileName
          const want = resolved && /\.(c|m)?tsx?$/.test(resolved) && !/\.d\.([^./]+\.)?(c|m)?ts$/.test(resolved) ? resolved : null
          if (want !== null) followed++
          if (got.file !== want && failures.length < 5) failures.push(`seed ${seed}, ${label}, ${specifier}: got ${got.file?.slice(dir.length)}, TypeScript ${resolved?.slice(dir.length)}; files ${files.join(', ')}`)
          for (const path of got.missing) if (existsSync(path) && failures.length < 5) failures.push(`seed ${seed}, ${label}, ${specifier}: ${path.slice(dir.length)} recorded missing`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(followed).toBeGreaterThan(seeds * 10)
  })
})
