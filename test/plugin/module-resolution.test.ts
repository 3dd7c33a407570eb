import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadTypeScript } from '../../plugin/core/scan/morph.js'
import { ModuleResolver } from '../../plugin/core/scan/project.js'
import { mappedLookup } from '../../plugin/core/scan/resolve-paths.js'
import { moduleResolutionOf, sourceLookup } from '../../plugin/core/scan/resolve-relative.js'

// Files on disk; those marked `-` exist but are not project files (excluded by the listing).
const TREE = [
  'src/a.ts', 'src/a.tsx', 'src/b.tsx', 'src/c.d.ts', 'src/d.js', 'src/e.ts', 'src/e.d.ts', 'src/dir/index.ts',
  'src/dir.ts', 'src/pkg/index.ts', 'src/pkg/package.json', 'src/user.entity.ts', 'src/user.d.entity.ts', 'src/m.mts',
  'src/deep/x/y.ts', '-src/excluded.ts', '-src/shadow.ts', 'src/shadow.tsx', 'src/v1.2.ts', 'src/name.js.ts', 'x.ts',
  'src/js.ts', '-src/ex2.ts', 'src/ex2.d.ts',
  // folders: a plain index, one beside a JavaScript file, one with a package.json, an index.tsx, an excluded index,
  // one beside a declaration file, nested
  'src/lib/index.ts', 'src/both/index.ts', '-src/both.js', 'src/pk2/index.ts', 'src/pk2/other.ts', 'src/pk2/package.json',
  'src/idx/index.tsx', '-src/hid/index.ts', 'src/dts/index.ts', '-src/dts.d.ts', 'src/deep/lib/index.ts', 'src/jsx/index.ts', '-src/jsx.jsx',
  // an ES module folder (`"type": "module"`), and an ES module by its extension
  'esm/package.json', 'esm/e.ts', 'esm/f.ts', 'esm/dir/index.ts', 'esm/g.tsx', 'src/n.mts', 'src/c2.cts',
]

const SPECIFIERS = [
  './a', './a.js', './a.ts', './a.tsx', './a.jsx', './b', './b.js', './c', './c.js', './d', './d.js', './e', './e.js', './dir',
  './dir/', './dir/index', './dir/index.js', './pkg', './user.entity', './user.entity.js', './m', './m.mjs', './m.mts',
  './deep/x/y', './deep/x/../x/y', './deep/./x/y.js', '../x', '../x.js', './excluded', './shadow', './shadow.js', './v1.2',
  './name.js', './js', './ex2', './missing', './missing.js', '.', '..', './', './src/a', '../src/a', '../src/./a.js',
  'pkg', '/abs', '.hidden', './A', './lib', './lib/index', './both', './pk2', './idx', './hid', './dts', './deep/lib', '../lib',
  '../../lib', './jsx',
  // a TypeScript or JavaScript extension replaced in TypeScript's order (`./b.ts` → `./b.tsx`, `./e.jsx` → `./e.ts`)
  './b.ts', './b.jsx', './e.jsx', './c.ts', './c.d.ts', './m.d.mts',
  // from and into the ES module folder
  './f.js', './f', './dir/index.js', './dir', './g.js', './g.jsx', '../esm/f.js', '../esm/e', './n.mjs', './n', './c2.cjs', './c2',
  // through `paths` and `baseUrl`
  '@/a', '@/a.js', '@/dir', '@/dir/', '@/pkg', '@/missing', '@/deep/x/y', '@/c', '@/d', '@/x', '~lib', 'x/a', 'x/deep/x/y', 'x/deep/x',
  'src/a', 'src/dir', 'src/missing', 'dir', 'a', 'lib', 'x',
]

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kb-resolve-')).replaceAll('\\', '/')
  for (const entry of TREE) {
    const file = join(root, entry.replace(/^-/, ''))
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, file.endsWith('esm/package.json') ? '{"type":"module"}' : file.endsWith('.json') ? `{"types":"./${file.includes('pk2') ? 'other' : 'index'}.ts"}` : 'export const x = 1\n')
  }
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const projectSet = () => new Set(TREE.filter((f) => !f.startsWith('-')).map((f) => `${root}/${f}`))

/** Compiler options to resolve under; those marked `asks TypeScript` are answered by TypeScript alone. */
const CONFIGS: Array<[string, import('../../plugin/core/scan/morph.js').ts.CompilerOptions]> = [
  ['bundler', { module: 99, moduleResolution: 100, allowJs: true }],
  ['bundler, no allowJs', { module: 99, moduleResolution: 100 }],
  ['node10', { module: 1, moduleResolution: 2, allowJs: true }],
  ['unset (module esnext)', { module: 99 }],
  ['unset (module commonjs)', { module: 1 }],
  ['node16', { module: 100, moduleResolution: 3 }],
  ['nodenext', { module: 199, moduleResolution: 99, allowJs: true }],
  ['classic (asks TypeScript)', { module: 2, moduleResolution: 1 }],
  // (`pathsBasePath`: the folder of the tsconfig that sets `paths`, as TypeScript's config parser adds it; filled in below)
  ['paths', { module: 99, moduleResolution: 100, paths: { '@/*': ['./src/*'], '~lib': ['./src/lib/index.ts'], 'x/*': ['./nothere/*', './src/*'], 'x/deep/*': ['./src/deep/*.ts'] }, pathsBasePath: '<root>' }],
  ['paths, node10', { module: 1, moduleResolution: 2, paths: { '@/*': ['./src/*', './*'] }, pathsBasePath: '<root>' }],
  ['baseUrl', { module: 99, moduleResolution: 100, baseUrl: '<root>' }],
  // an absolute substitution, as `${configDir}/src/*` becomes
  ['paths, absolute', { module: 99, moduleResolution: 100, paths: { '@/*': ['<root>/src/*'], 'x/*': ['<root>/nothere/*', '<root>/src/*'] }, pathsBasePath: '<root>' }],
  ['baseUrl and paths', { module: 99, moduleResolution: 100, baseUrl: '<root>/src', paths: { '@/*': ['*'], 'dir': ['./lib/index.ts'] } }],
  ['moduleSuffixes (asks TypeScript)', { module: 99, moduleResolution: 100, moduleSuffixes: ['.ios', ''] }],
]

describe('module resolution: specifiers answered without TypeScript give what TypeScript gives', () => {
  for (const [label, config] of CONFIGS) {
    it(label, () => {
      const options = JSON.parse(JSON.stringify(config).replaceAll('<root>', root)) as typeof config
      const ts = loadTypeScript()
      const inProject = projectSet()
      const isProjectFile = (f: string) => inProject.has(f)
      const resolver = new ModuleResolver(options, isProjectFile)
      const asked = vi.spyOn(ModuleResolver.prototype as unknown as { typeScriptLookup: () => string | null }, 'typeScriptLookup')
      const answered = vi.spyOn(ModuleResolver.prototype as unknown as { typeScriptAnswer: () => string | null }, 'typeScriptAnswer')
      // relative specifiers looked up, once per folder (and format): the resolver remembers the answers
      const looked = new Set<string>()
      let quick: number
      let bareAsked: number
      try {
        for (const from of ['src/a.ts', 'src/deep/x/y.ts', 'x.ts', 'esm/e.ts', 'src/n.mts', 'src/c2.cts']) {
          const fromFile = `${root}/${from}`
          // (the importing file's format, as a program gives it: ES module by extension or by its package.json)
          const mode = ts.getImpliedNodeFormatForFile(fromFile as never, undefined, ts.sys, options)
          for (const specifier of SPECIFIERS) {
            const expected = ts.resolveModuleName(specifier, fromFile, options, ts.sys, undefined, undefined, mode).resolvedModule
            const want = expected && isProjectFile(expected.resolvedFileName) ? expected.resolvedFileName : null
            expect({ from, specifier, file: resolver.resolve(specifier, fromFile) }).toEqual({ from, specifier, file: want })
            if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue
            looked.add(`${dirname(fromFile)}\0${[3, 99].includes(moduleResolutionOf(options)) ? mode : ''}\0${specifier}`)
          }
        }
        // every relative specifier was looked up once per folder; those under bundler/node10 mostly without TypeScript
        quick = looked.size - asked.mock.calls.length
        bareAsked = answered.mock.calls.length - asked.mock.calls.length
      } finally {
        asked.mockRestore()
        answered.mockRestore()
      }
      // bare specifiers through `paths` and `baseUrl` too: TypeScript is asked only for a folder with a package.json
      if (!label.includes('asks TypeScript')) expect(bareAsked).toBeLessThanOrEqual(12)
      if (label.includes('asks TypeScript')) expect(quick).toBeLessThanOrEqual(0)
      else expect(quick).toBeGreaterThanOrEqual(20)
    })
  }
})

describe('module resolution kind without TypeScript', () => {
  it("equals TypeScript's for every module and target (set or not)", () => {
    const ts = loadTypeScript()
    const kind = (ts as unknown as { getEmitModuleResolutionKind(o: object): number }).getEmitModuleResolutionKind
    const modules = [undefined, 0, 1, 2, 3, 4, 5, 6, 7, 99, 100, 101, 102, 199, 200]
    const targets = [undefined, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 99]
    for (const module of modules) for (const target of targets) for (const moduleResolution of [undefined, 1, 2, 3, 99, 100]) {
      const options = { module, target, moduleResolution }
      expect({ options, kind: moduleResolutionOf(options) }).toEqual({ options, kind: kind(options) })
    }
  })
})

describe('the import closure\'s lookups (sourceLookup) give the source file TypeScript gives', () => {
  // (the options TypeScript alone answers for are left to it by the closure too)
  const configs = CONFIGS.filter(([label]) => !label.includes('asks TypeScript'))
  for (const [label, options] of configs) {
    it(label, () => {
      const ts = loadTypeScript()
      let answered = 0
      for (const from of ['src/a.ts', 'src/deep/x/y.ts', 'x.ts']) {
        const fromFile = `${root}/${from}`
        for (const specifier of SPECIFIERS) {
          if (!specifier.startsWith('.')) continue
          const got = sourceLookup(specifier, dirname(fromFile), existsSync, moduleResolutionOf(options))
          if (got === undefined) continue
          answered++
          const expected = ts.resolveModuleName(specifier, fromFile, options, ts.sys).resolvedModule?.resolvedFileName
          const want = expected && /\.(c|m)?tsx?$/.test(expected) && !/\.d\.([^./]+\.)?(c|m)?ts$/.test(expected) ? expected : null
          expect({ from, specifier, file: got.file }).toEqual({ from, specifier, file: want })
          // the file it ends at, of any kind (under node10 TypeScript finds JavaScript files in a later pass)
          if (got.hit !== null || moduleResolutionOf(options) === 100) expect({ specifier, hit: got.hit }).toEqual({ specifier, hit: expected ?? null })
          else expect(expected === undefined || /\.(c|m)?jsx?$/.test(expected)).toBe(true)
          // what it tried before is missing (and a file created there would be what TypeScript finds first)
          for (const path of got.missing) expect(existsSync(path), path).toBe(false)
        }
      }
      // only a folder with a package.json is left to TypeScript
      expect(answered).toBeGreaterThanOrEqual(120)
    })
  }

  it('records the paths that would take over: a file created there is what TypeScript finds then', () => {
    const ts = loadTypeScript()
    const options = { module: 99, moduleResolution: 100 }
    const fromFile = `${root}/src/a.ts`
    const got = sourceLookup('./lib', dirname(fromFile), existsSync)!
    expect(got.file).toBe(`${root}/src/lib/index.ts`)
    expect(got.missing).toEqual([`${root}/src/lib.ts`, `${root}/src/lib.tsx`, `${root}/src/lib.d.ts`, `${root}/src/lib.js`, `${root}/src/lib.jsx`])
    writeFileSync(`${root}/src/lib.ts`, 'export const y = 2\n')
    try {
      expect(ts.resolveModuleName('./lib', fromFile, options, ts.sys).resolvedModule?.resolvedFileName).toBe(`${root}/src/lib.ts`)
      expect(sourceLookup('./lib', dirname(fromFile), existsSync)).toEqual({ file: `${root}/src/lib.ts`, hit: `${root}/src/lib.ts`, missing: [] })
    } finally {
      rmSync(`${root}/src/lib.ts`)
    }
    // a name with another extension is no source file's: nothing recorded
    expect(sourceLookup('./styles.css', dirname(fromFile), existsSync)).toEqual({ file: null, hit: null, missing: [] })
  })
})

describe('`paths` read with its own base', () => {
  it('one paths object under two baseUrls (a base config extended by two projects) is looked up under each', () => {
    const paths = { '@/*': ['*'] }
    const under = (baseUrl: string) => mappedLookup('@/x', { paths, baseUrl }, existsSync, 100)?.file ?? null
    expect(under(`${root}/src`)).toBeNull()
    expect(under(root)).toBe(`${root}/x.ts`)
    expect(under(`${root}/src`)).toBeNull()
  })
})
