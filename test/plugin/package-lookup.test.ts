/**
 * Bare specifiers (`@acme/models`) looked up in node_modules without TypeScript, for the import closure: a
 * workspace package's sources are followed through its link as TypeScript follows them; packages are not.
 * Checked against `ts.resolveModuleName` over package layouts, configurations and importing folders.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadTypeScript, type ts } from '../../plugin/core/scan/morph.js'
import { linkHolds, PackageLookups, probeLink, type PackageLookupOptions } from '../../plugin/core/scan/resolve-package.js'
import { moduleResolutionOf } from '../../plugin/core/scan/resolve-relative.js'

const root = realpathSync(mkdtempSync(join(tmpdir(), 'kb-packages-'))).replaceAll('\\', '/')
afterAll(() => rmSync(root, { recursive: true, force: true }))

function write(rel: string, text: string): void {
  const file = join(root, rel)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}
const json = (value: unknown) => JSON.stringify(value)
function link(rel: string, target: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true })
  symlinkSync(target, join(root, rel), 'dir')
}

// workspace packages, each under packages/<name>, linked as @acme/<name> from app/node_modules
const PACKAGES: Record<string, Record<string, string>> = {
  'exp-string': { 'package.json': json({ exports: './src/index.ts' }), 'src/index.ts': '' },
  'exp-conds': {
    'package.json': json({ exports: { '.': { types: './src/index.ts', import: './dist/index.js' }, './user': './src/user.ts', './js': './dist/js.js', './dts': { import: './dist/dts.js' } } }),
    'src/index.ts': '', 'src/user.ts': '', 'dist/js.js': '', 'dist/dts.js': '', 'dist/dts.d.ts': '',
  },
  'exp-import-js': { 'package.json': json({ exports: { import: './dist/index.js', default: './dist/index.cjs' } }), 'dist/index.ts': '', 'dist/index.js': '' },
  // `default` first: its target has no types, so the next condition is tried
  'exp-default-first': { 'package.json': json({ exports: { default: './a.js', types: './b.ts' } }), 'a.js': '', 'b.ts': '' },
  'exp-custom': { 'package.json': json({ exports: { '.': { source: './src/index.ts', types: './dist/index.d.ts' } } }), 'src/index.ts': '', 'dist/index.d.ts': '' },
  'exp-pattern': { 'package.json': json({ exports: { './*': './src/*.ts' } }), 'src/x.ts': '' },
  'exp-array': { 'package.json': json({ exports: { '.': ['./src/index.ts'] } }), 'src/index.ts': '' },
  'exp-none': { 'package.json': json({ exports: { './only': './only.ts' } }), 'only.ts': '', 'index.ts': '' },
  'main-ts': { 'package.json': json({ name: '@acme/main-ts', main: 'src/index.ts' }), 'src/index.ts': "import 'hoisted'\n" },
  'types-dts': { 'package.json': json({ types: 'dist/index.d.ts', main: 'dist/index.js' }), 'dist/index.d.ts': '', 'dist/index.js': '', 'index.ts': '' },
  'typings-js': { 'package.json': json({ typings: './lib/main.js' }), 'lib/main.ts': '' },
  'main-folder': { 'package.json': json({ main: './lib' }), 'lib/index.ts': '' },
  'main-missing': { 'package.json': json({ main: './gone.js' }), 'index.ts': '' },
  'no-manifest': { 'index.ts': '', 'sub/x.ts': '' },
  'bare-index': { 'package.json': json({ name: 'bare-index' }), 'index.tsx': '', 'sub/x.ts': '', 'sub/y/index.ts': '' },
  'js-only': { 'package.json': json({ main: 'index.js' }), 'index.js': '' },
  'versions': { 'package.json': json({ typesVersions: { '*': { '*': ['src/*'] } } }), 'src/index.ts': '' },
  'broken': { 'package.json': '{ nope', 'index.ts': '' },
  hoisted: { 'package.json': json({ exports: './src/index.ts' }), 'src/index.ts': '' },
  // imports itself by name (from its own files)
  'self-pkg': { 'package.json': json({ name: '@acme/self-pkg', exports: { '.': './src/index.ts', './inner': './src/inner.ts' } }), 'src/index.ts': '', 'src/inner.ts': '' },
}
for (const [name, files] of Object.entries(PACKAGES)) {
  for (const [rel, text] of Object.entries(files)) write(`packages/${name}/${rel}`, text)
  if (name !== 'hoisted') link(`app/node_modules/@acme/${name}`, `../../../packages/${name}`)
}
// hoisted to the root's node_modules
link('node_modules/hoisted', '../packages/hoisted')
// a package (sources not followed), one in a pnpm-like store, a dangling link
write('node_modules/realpkg/package.json', json({ exports: './index.ts' }))
write('node_modules/realpkg/index.ts', '')
write('node_modules/.pnpm/store@1/node_modules/store/package.json', json({ main: 'index.ts' }))
write('node_modules/.pnpm/store@1/node_modules/store/index.ts', '')
link('app/node_modules/store', '../../node_modules/.pnpm/store@1/node_modules/store')
link('app/node_modules/dangling', '../../packages/gone')
write('app/src/a.ts', '')
write('app/src/deep/x.ts', '')
// subpath imports of the app's own package.json
write('app/package.json', json({
  name: 'app',
  imports: {
    '#models/*': './src/models/*.ts',
    '#models/special': './src/special.ts',
    '#lib/*': './src/lib/*.js',
    '#ext/*': './src/ext/*',
    '#cond': { types: './src/cond.ts', default: './dist/cond.js' },
    '#deep/*/index': './src/deep/*/index.ts',
    '#longer/a/*': './src/a/*.ts',
    '#longer/*': './src/b/*.ts',
    '#pkg': 'hoisted',
  },
  // the app imports itself by name too: `app/models/user`
  exports: {
    '.': './src/a.ts',
    './models/*': './src/models/*.ts',
    './js': './dist/app.js',
    './dts': './src/types.d.ts',
    './missing': './src/nope.ts',
    './both': { default: './dist/both.js', types: './src/both.ts' },
    './dup-js': './dist/dup.js',
    // no types there: TypeScript's pass for JavaScript takes ./src/jsfall.js, and stops
    './jsfall': './src/jsfall.ts',
  },
}))
write('app/dist/app.js', '')
write('app/dist/both.js', '')
write('app/dist/dup.js', '')
write('app/src/types.d.ts', '')
write('app/src/both.ts', '')
write('app/src/jsfall.js', '')
// a package of the same name in node_modules: where TypeScript goes when the app's exports have nothing for a subpath
for (const rel of ['index.ts', 'missing.ts', 'nothing.ts', 'dup-js.ts', 'jsfall.ts']) write(`packages/app-dup/${rel}`, '')
write('packages/app-dup/package.json', json({ main: 'index.ts' }))
link('app/node_modules/app', '../../packages/app-dup')
for (const rel of ['models/user', 'special', 'lib/util', 'ext/e', 'cond', 'deep/y/index', 'a/one', 'b/two', 'b/a/one']) write(`app/src/${rel}.ts`, '')

const SPECIFIERS = [
  ...Object.keys(PACKAGES).filter((n) => n !== 'hoisted').map((n) => `@acme/${n}`),
  '@acme/exp-conds/user', '@acme/exp-conds/js', '@acme/exp-conds/dts', '@acme/exp-conds/missing', '@acme/exp-pattern/x',
  '@acme/exp-none/only', '@acme/no-manifest/sub/x', '@acme/bare-index/sub/x', '@acme/bare-index/sub/y', '@acme/bare-index/sub/x.js',
  '@acme/absent', 'hoisted', 'realpkg', 'store', 'dangling', 'fs', 'node:fs', '@acme', '@acme/', 'nothing-here/x',
  '#models/user', '#models/special', '#models/missing', '#lib/util', '#lib/util.js', '#ext/e', '#ext/e.ts', '#cond', '#deep/y/index',
  '#longer/a/one', '#longer/two', '#pkg', '#nothing', '#models/../special', '#', '#/x',
  'app', 'app/models/user', 'app/models/nope', 'app/js', 'app/dts', 'app/missing', 'app/nothing', 'app/both', 'app/dup-js', 'app/jsfall', 'app/', 'apple',
  '@acme/self-pkg', '@acme/self-pkg/inner',
]

/** What each configuration leaves to TypeScript, from the app's folders (`null`: not checked). */
const LEFT: Record<string, string[] | null> = {
  bundler: ['@acme/exp-array', '@acme/versions', '@acme/broken', '#pkg', '#models/../special'],
  node10: ['@acme/versions', '@acme/broken'],
  'bundler, customConditions': ['@acme/exp-array', '@acme/versions', '@acme/broken', '#pkg', '#models/../special'],
  'bundler, resolvePackageJsonExports: false': ['@acme/versions', '@acme/broken', '#pkg', '#models/../special'],
}
// under node16 and nodenext, packages without exports too (and the app's own name where its exports have nothing, which
// ends in such a package)
const NODE16_LEFT = ['#models/../special', '#pkg', '@acme/bare-index', '@acme/bare-index/sub/x', '@acme/bare-index/sub/x.js', '@acme/bare-index/sub/y',
  '@acme/broken', '@acme/exp-array', '@acme/js-only', '@acme/main-folder', '@acme/main-missing', '@acme/main-ts', '@acme/no-manifest',
  '@acme/no-manifest/sub/x', '@acme/types-dts', '@acme/typings-js', '@acme/versions', 'app/missing', 'app/models/nope', 'app/nothing']
for (const label of ['node16, CommonJS importers', 'nodenext, ES module importers', 'nodenext, ES module importers, customConditions']) LEFT[label] = NODE16_LEFT

/** Configurations, with the importing files' format under node16 and nodenext (`true`: ES modules). */
const CONFIGS: Array<[string, PackageLookupOptions & ts.CompilerOptions, boolean?]> = [
  ['bundler', { module: 99, moduleResolution: 100 }],
  ['node10', { module: 1, moduleResolution: 2 }],
  ['bundler, customConditions', { module: 99, moduleResolution: 100, customConditions: ['source'] }],
  ['bundler, resolvePackageJsonExports: false', { module: 99, moduleResolution: 100, resolvePackageJsonExports: false }],
  ['node16, CommonJS importers', { module: 100, moduleResolution: 3 }, false],
  ['nodenext, ES module importers', { module: 199, moduleResolution: 99 }, true],
  ['nodenext, ES module importers, customConditions', { module: 199, moduleResolution: 99, customConditions: ['source'] }, true],
]

/** TypeScript's source file for a specifier (not a declaration, not in a package), or null. */
function typeScriptSource(specifier: string, fromFile: string, options: ts.CompilerOptions, esm?: boolean): string | null {
  const ts = loadTypeScript()
  const found = ts.resolveModuleName(specifier, fromFile, options, ts.sys, undefined, undefined, esm === undefined ? undefined : esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS).resolvedModule?.resolvedFileName
  return found && /\.(c|m)?tsx?$/.test(found) && !/\.d\.(c|m)?ts$/.test(found) && !found.includes('/node_modules/') ? found : null
}

describe('bare specifiers looked up without TypeScript give the source file TypeScript gives', () => {
  for (const [label, options, esm] of CONFIGS) {
    it(label, () => {
      const lookups = new PackageLookups(options, moduleResolutionOf(options))
      let answered = 0
      let followed = 0
      const left = new Set<string>()
      for (const from of ['app/src/a.ts', 'app/src/deep/x.ts', 'packages/main-ts/src/index.ts', 'packages/self-pkg/src/index.ts']) {
        const fromFile = `${root}/${from}`
        for (const specifier of SPECIFIERS) {
          const got = lookups.lookup(specifier, dirname(fromFile), esm ?? null)
          // links found are there; what was tried is missing
          for (const [path] of got.links) expect(existsSync(path), path).toBe(true)
          for (const path of got.missing) expect(existsSync(path), path).toBe(false)
          if (got.file === undefined) {
            if (from.startsWith('app/')) left.add(specifier)
            continue
          }
          answered++
          if (got.file !== null) followed++
          expect({ from, specifier, file: got.file }).toEqual({ from, specifier, file: typeScriptSource(specifier, fromFile, options, esm) })
        }
      }
      const expected = LEFT[label]
      if (expected) expect([...left].sort()).toEqual([...expected].sort())
      else expect(answered).toBeGreaterThanOrEqual(30)
      expect(followed).toBeGreaterThanOrEqual(label === 'node10' ? 12 : 20)
    })
  }

  it('leaves to TypeScript the forms it does not know', () => {
    const lookups = new PackageLookups(CONFIGS[0]![1], 100)
    const from = `${root}/app/src`
    for (const specifier of ['@acme/versions', '@acme/exp-array', '@acme/broken']) {
      expect(lookups.lookup(specifier, from).file, specifier).toBeUndefined()
    }
    expect(lookups.lookup('@acme/exp-custom', from).file).toBeNull()
    expect(new PackageLookups({ module: 99, moduleResolution: 100, customConditions: ['source'] }, 100).lookup('@acme/exp-custom', from).file)
      .toBe(`${root}/packages/exp-custom/src/index.ts`)
  })

  it('records the folders found in node_modules: a link pointed elsewhere or a manifest edited no longer holds', () => {
    const got = new PackageLookups({ module: 99, moduleResolution: 100 }, 100).lookup('@acme/exp-string', `${root}/app/src/deep`)
    expect(got.file).toBe(`${root}/packages/exp-string/src/index.ts`)
    // the nearest package.json first (an import of the app's own name would go through its exports), then node_modules
    expect(got.missing).toEqual([
      `${root}/app/src/deep/package.json`, `${root}/app/src/package.json`,
      `${root}/app/src/deep/node_modules/@acme/exp-string`, `${root}/app/src/node_modules/@acme/exp-string`,
    ])
    expect(got.links.map((l) => l.slice(0, 2))).toEqual([[`${root}/app`, `${root}/app`], [`${root}/app/node_modules/@acme/exp-string`, `${root}/packages/exp-string`]])
    const found = got.links[1]
    expect(found!.slice(0, 2)).toEqual([`${root}/app/node_modules/@acme/exp-string`, `${root}/packages/exp-string`])
    expect(linkHolds(found!)).toBe(true)
    write('packages/exp-string/package.json', json({ exports: './src/other.ts' }))
    expect(linkHolds(found!)).toBe(false)
    write('packages/exp-string/package.json', json({ exports: './src/index.ts' }))
    expect(linkHolds(found!)).toBe(true)
    unlinkSync(join(root, 'app/node_modules/@acme/exp-string'))
    link('app/node_modules/@acme/exp-string', '../../../packages/hoisted')
    try {
      expect(linkHolds(found!)).toBe(false)
    } finally {
      unlinkSync(join(root, 'app/node_modules/@acme/exp-string'))
      link('app/node_modules/@acme/exp-string', '../../../packages/exp-string')
    }
    // a package is recorded without its manifest
    expect(probeLink(`${root}/node_modules/realpkg`).link).toEqual([`${root}/node_modules/realpkg`, `${root}/node_modules/realpkg`, ''])
    expect(probeLink(`${root}/app/node_modules/dangling`).link).toBeNull()
  })

  it('follows a package built to dist/ from its declarations to its sources, through its own tsconfig.json', () => {
    const tsconfig = (compilerOptions: object, include = ['src']) => json({ compilerOptions: { declaration: true, ...compilerOptions }, include })
    const packages: Record<string, Record<string, string>> = {
      // rootDir and outDir; exports, a subpath, a .tsx source
      'built-root': {
        'package.json': json({ exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './user': { types: './dist/models/user.d.ts' } } }),
        'tsconfig.json': tsconfig({ rootDir: 'src', outDir: 'dist' }), 'src/index.ts': '', 'src/models/user.tsx': '', 'dist/index.d.ts': '', 'dist/models/user.d.ts': '',
      },
      // composite: rootDir is the tsconfig's folder; declarationDir over outDir; the types field
      'built-composite': {
        'package.json': json({ types: 'types/src/index.d.ts' }),
        'tsconfig.json': tsconfig({ composite: true, outDir: 'dist', declarationDir: 'types' }), 'src/index.ts': '', 'types/src/index.d.ts': '',
      },
      // neither: the folder the files share (src/lib, src/other → src)
      'built-common': {
        'package.json': json({ types: './dist/lib/a.d.ts' }),
        'tsconfig.json': tsconfig({ outDir: 'dist' }), 'src/lib/a.ts': '', 'src/other/b.ts': '', 'dist/lib/a.d.ts': '',
      },
      // no tsconfig; a declaration outside outDir; a declaration whose source is not one of the project's files
      'built-none': { 'package.json': json({ types: './dist/index.d.ts' }), 'src/index.ts': '', 'dist/index.d.ts': '' },
      'built-elsewhere': { 'package.json': json({ types: './types/index.d.ts' }), 'tsconfig.json': tsconfig({ rootDir: 'src', outDir: 'dist' }), 'src/index.ts': '', 'types/index.d.ts': '' },
      'built-excluded': { 'package.json': json({ types: './dist/index.d.ts' }), 'tsconfig.json': tsconfig({ rootDir: 'src', outDir: 'dist' }, ['src/lib']), 'src/index.ts': '', 'src/lib/x.ts': '', 'dist/index.d.ts': '' },
    }
    for (const [name, files] of Object.entries(packages)) {
      for (const [rel, text] of Object.entries(files)) write(`packages/${name}/${rel}`, text)
      link(`app/node_modules/@acme/${name}`, `../../../packages/${name}`)
    }
    const lookups = new PackageLookups({ module: 99, moduleResolution: 100 }, 100)
    const from = `${root}/app/src`
    const got = (specifier: string) => lookups.lookup(specifier, from).file?.slice(root.length) ?? null
    expect(got('@acme/built-root')).toBe('/packages/built-root/src/index.ts')
    expect(got('@acme/built-root/user')).toBe('/packages/built-root/src/models/user.tsx')
    expect(got('@acme/built-composite')).toBe('/packages/built-composite/src/index.ts')
    expect(got('@acme/built-common')).toBe('/packages/built-common/src/lib/a.ts')
    for (const name of ['built-none', 'built-elsewhere', 'built-excluded']) expect(got(`@acme/${name}`), name).toBeNull()
    // the tsconfig counts in what the closure records: an edit of it no longer holds
    const found = lookups.lookup('@acme/built-root', from).links.find(([path]) => path.includes('/node_modules/'))
    expect(linkHolds(found!)).toBe(true)
    write('packages/built-root/tsconfig.json', tsconfig({ rootDir: 'src', outDir: 'out' }))
    expect(linkHolds(found!)).toBe(false)
  })
})

