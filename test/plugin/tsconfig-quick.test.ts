import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTypeScript } from '../../plugin/core/scan/morph.js'
import { OPTION_TABLES, convertOptions } from '../../plugin/core/scan/tsconfig-options.js'
import { readConfigQuick, stripJsonc } from '../../plugin/core/scan/tsconfig-quick.js'

const SCANNABLE = (f: string) => /\.(c|m)?tsx?$/.test(f) && !/\.d\.(c|m)?ts$/.test(f)

/** What TypeScript reads from a config: its files (those the scan reads) and options, or its first fatal error. */
function typeScriptReads(tsconfig: string): { files: string[]; compilerOptions: Record<string, unknown> } | { error: string } {
  const ts = loadTypeScript()
  let fatal: string | null = null
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { fatal = ts.flattenDiagnosticMessageText(d.messageText, ' ') } })
  const error = parsed?.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003)
  if (fatal || !parsed || error) return { error: fatal ?? (error ? ts.flattenDiagnosticMessageText(error.messageText, ' ') : 'no result') }
  return { files: parsed.fileNames.filter(SCANNABLE).sort(), compilerOptions: parsed.options as Record<string, unknown> }
}

describe('compiler options converted without TypeScript', () => {
  const base = '/work/project'
  const convertsLikeTypeScript = (options: Record<string, unknown>) => {
    const ts = loadTypeScript()
    const mine = convertOptions(options, base, `${base}/tsconfig.json`)
    const theirs = ts.convertCompilerOptionsFromJson(options, base, `${base}/tsconfig.json`)
    expect(theirs.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, ' '))).toEqual([])
    expect(mine).toEqual({ ...theirs.options, configFilePath: `${base}/tsconfig.json` })
  }

  it('every option of the tables, with the values TypeScript accepts, converts to what TypeScript gives', () => {
    for (const name of OPTION_TABLES.BOOLEAN) { convertsLikeTypeScript({ [name]: true }); convertsLikeTypeScript({ [name]: false }) }
    for (const name of OPTION_TABLES.TEXT) convertsLikeTypeScript({ [name]: 'React.createElement' })
    for (const name of OPTION_TABLES.PATH) for (const v of ['dist', './out/', '../up/x', '/abs/dir', 'a/./b/../c', 'x\\y']) convertsLikeTypeScript({ [name]: v })
    for (const [name, values] of Object.entries(OPTION_TABLES.ENUM)) {
      for (const v of Object.keys(values)) { convertsLikeTypeScript({ [name]: v }); convertsLikeTypeScript({ [name]: v.toUpperCase() }) }
    }
    for (const lib of [...OPTION_TABLES.LIB, ...Object.keys(OPTION_TABLES.LIB_FILES)]) convertsLikeTypeScript({ lib: [lib, lib.toUpperCase()] })
    convertsLikeTypeScript({ types: ['node', 'vite/client'], customConditions: ['dev'], typeRoots: ['./types', 'node_modules/@types'], maxNodeModuleJsDepth: 2 })
  })

  it("every table entry is a tsconfig option of TypeScript's with that type; the enumeration and lib tables are TypeScript's own", () => {
    const ts = loadTypeScript()
    type Declaration = { name: string; type: unknown; isFilePath?: boolean; isCommandLineOnly?: boolean; element?: { type: unknown } }
    const declarations = new Map((ts as unknown as { optionDeclarations: Declaration[] }).optionDeclarations.map((d) => [d.name, d]))
    const kind = (name: string) => {
      const d = declarations.get(name)
      if (!d || d.isCommandLineOnly) return 'not a tsconfig option'
      return d.type instanceof Map ? 'enum' : d.type === 'string' ? (d.isFilePath ? 'path' : 'text') : String(d.type)
    }
    for (const name of OPTION_TABLES.BOOLEAN) expect({ name, kind: kind(name) }).toEqual({ name, kind: 'boolean' })
    for (const name of OPTION_TABLES.TEXT) expect({ name, kind: kind(name) }).toEqual({ name, kind: 'text' })
    for (const name of OPTION_TABLES.PATH) expect({ name, kind: kind(name) }).toEqual({ name, kind: 'path' })
    for (const [name, values] of Object.entries(OPTION_TABLES.ENUM)) {
      expect(Object.fromEntries(declarations.get(name)!.type as Map<string, number>)).toEqual(values)
    }
    const libs = declarations.get('lib')!.element!.type as Map<string, string>
    const ours = new Map([...[...OPTION_TABLES.LIB].map((l) => [l, `lib.${l}.d.ts`] as const), ...Object.entries(OPTION_TABLES.LIB_FILES)])
    expect(Object.fromEntries([...ours].sort())).toEqual(Object.fromEntries([...libs].sort()))
  })

  it('converts paths (as written) and baseUrl (absolute) as TypeScript does', () => {
    convertsLikeTypeScript({ baseUrl: '.', paths: { '@/*': ['./src/*'], '~lib': ['lib/index.ts', '../shared/lib'], 'x/*/y': [] } })
    convertsLikeTypeScript({ paths: { '*': ['*', 'types/*'] } })
    // the `${configDir}` template is kept as it is (replaced once the whole config is read)
    convertsLikeTypeScript({ outDir: '${configDir}/dist', baseUrl: '${configDir}', typeRoots: ['${configDir}/types', './t'], paths: { '@/*': ['${configDir}/src/*'] }, rootDir: 'src/${configDir}' })
  })

  it('gives up on what it does not convert exactly: unknown options, other value types, case variants of the template, paths of another form', () => {
    for (const options of [{ Strict: true }, { strict: 'yes' }, { target: 'ES2099' }, { paths: { '@/*': './src/*' } }, { paths: [] }, { paths: null }, { baseUrl: '' },
      { baseUrl: '${CONFIGDIR}/src' }, { outDir: '${ConfigDir}/dist' }, { paths: { '@/*': ['${CONFIGDIR}/src/*'] } }, { typeRoots: ['${configdir}/types'] }, { lib: ['ES2022', 'nope'] },
      { rootDirs: ['a'] }, { moduleSuffixes: [''] }, { plugins: [] }, { outDir: '' }, { locale: 'en' }, { help: true }, { outDir: null }, [], 'x']) {
      expect(convertOptions(options, base, `${base}/tsconfig.json`)).toBeNull()
    }
  })
})

describe('JSON with comments', () => {
  it('drops comments and trailing commas outside strings, keeps strings as they are', () => {
    const text = '\uFEFF{\n  // a comment\n  "a": "//not a comment, }", /* block\n */ "b": [1, 2,],\n  "c": "\\"/*x*/\\"",\n}\n'
    expect(JSON.parse(stripJsonc(text))).toEqual({ a: '//not a comment, }', b: [1, 2], c: '"/*x*/"' })
    expect(() => JSON.parse(stripJsonc('{ "a": 1 /* open'))).toThrow()
  })
})

describe('project listing without TypeScript: the files and options TypeScript gives, or TypeScript is asked', () => {
  const TREE = [
    'src/x.ts', 'src/x.tsx', 'src/y.tsx', 'src/z.d.ts', 'src/w.mts', 'src/v.cts', 'src/u.js', 'src/t.d.mts', 'src/.dot.ts', 'src/.ts', 'src/q.mtsx',
    'src/a/index.ts', 'src/a/b/deep.ts', 'src/a/b/deep.tsx', 'src/.hidden/h.ts', 'src/node_modules/pkg/p.ts', 'node_modules/lib/l.ts', 'lib/l.ts',
    'dist/d.ts', 'out/o.ts', 'test/t.test.ts', '.config/c.ts', 'bower_components/b.ts', 'v1.2/v.ts', 'root.ts', 'root.tsx', 'types/g.d.ts',
    'src/a.min.ts', 'src/b/c.ts', 'vite.config.ts', 'node_modules/lib/index.ts', 'types.d.ts',
  ]
  const INCLUDES: unknown[] = [undefined, ['src'], ['src/**/*'], ['**/*'], ['src/**/*.ts'], ['src', 'lib'], ['src/*'], ['**/*.tsx'], ['src/a/**/*'],
    ['.config'], ['node_modules/lib'], ['src/x.ts'], ['src/**'], [], ['src/?.ts'], ['dist/**/*'], ['src', 'src/a'], ['./src/'], ['v1.2'], ['*'], ['**/b/*'],
    ['vite.config.ts'], ['src', 'vite.config.ts'], ['.config/c.ts'], ['node_modules/lib/index.ts'], ['src/gone.ts'], ['src/y.tsx', 'src/a/../x.ts'], ['./src/x.ts', 'src/**/*.ts'], ['types.d.ts'],
    ['${configDir}/src'], ['${configDir}/src/**/*.ts', 'lib'], ['${configDir}/root.ts']]
  const EXCLUDES: unknown[] = [undefined, ['dist'], ['src/a'], ['**/*.tsx'], ['src/**/b'], ['node_modules'], [], ['*.ts'], ['src/*'], ['**/.hidden'], ['src/x.ts'], ['${configDir}/src/a']]
  const OPTIONS: Array<Record<string, unknown>> = [{ strict: true }, { outDir: 'dist' }, { outDir: './out/' }, { declarationDir: 'lib' },
    { module: 'ESNext', moduleResolution: 'Bundler' }, { target: 'ES2022' }, { lib: ['ES2022', 'DOM', 'dom.iterable'] }, { allowJs: true },
    { jsx: 'react-jsx' }, { types: ['node'] }, { paths: { '@/*': ['./src/*'] } }, { Strict: true }, { target: 'ES2099' }, { baseUrl: '.' },
    { baseUrl: './src', paths: { '~/*': ['*'], 'lib': ['./a/index.ts'] } }, { outDir: '${configDir}/out', typeRoots: ['${configDir}/types'] },
    { baseUrl: '${configDir}', paths: { '@/*': ['${configDir}/src/*'] } }]

  let root: string
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kb-tsconfig-')).replaceAll('\\', '/')
    for (const f of TREE) { mkdirSync(dirname(join(root, f)), { recursive: true }); writeFileSync(join(root, f), 'export const x = 1\n') }
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('on 600 generated configs (include × exclude × options, with comments and trailing commas)', () => {
    let seed = 11
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!
    const tsconfig = `${root}/tsconfig.json`
    let answered = 0
    for (let round = 0; round < 600; round++) {
      const config: Record<string, unknown> = {}
      const include = pick(INCLUDES)
      const exclude = next() < 0.5 ? pick(EXCLUDES) : undefined
      if (include !== undefined) config.include = include
      if (exclude !== undefined) config.exclude = exclude
      const options = Object.assign({}, ...Array.from({ length: Math.floor(next() * 3) }, () => pick(OPTIONS)))
      if (Object.keys(options).length || next() < 0.5) config.compilerOptions = options
      let text = JSON.stringify(config, null, 2)
      if (round % 3 === 0) text = `// generated\n${text.replace(/\n}$/, ',\n  /* end */\n}')}`
      writeFileSync(tsconfig, text)
      const dirs: string[] = []
      const quick = readConfigQuick(tsconfig, (d) => dirs.push(d))
      if (quick === null) continue
      answered++
      const theirs = typeScriptReads(tsconfig)
      expect({ config, result: 'error' in theirs ? theirs : { files: theirs.files.map((f) => f.slice(root.length + 1)), options: JSON.stringify(theirs.compilerOptions) } })
        .toEqual({ config, result: { files: quick.files.map((f) => f.slice(root.length + 1)), options: JSON.stringify(quick.compilerOptions) } })
      if (quick.files.length) expect(dirs.length).toBeGreaterThan(0)
    }
    expect(answered).toBeGreaterThan(250)
  })

  it('on 400 generated configs extending others (a chain, an array, in other folders, packages\' configs, lists and options inherited or overridden)', () => {
    let seed = 29
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!
    const tsconfig = `${root}/tsconfig.json`
    // where the configs extended are, and how the config extending names them (`.json` left out, or not)
    const PLACES: Array<[file: string, fromRoot: string, fromConfigs: string]> = [
      ['tsconfig.base.json', './tsconfig.base.json', '../tsconfig.base'],
      ['configs/strict.json', './configs/strict', './strict.json'],
      ['configs/deep/paths.json', './configs/deep/paths.json', './deep/paths'],
      // packages' configs: a subpath, the package's tsconfig.json, its `tsconfig` field, a subpath without `.json`
      ['node_modules/@tsconfig/strictest/tsconfig.json', '@tsconfig/strictest/tsconfig.json', '@tsconfig/strictest'],
      ['node_modules/base-pkg/configs/app.json', 'base-pkg', 'base-pkg/configs/app'],
    ]
    mkdirSync(`${root}/node_modules/@tsconfig/strictest`, { recursive: true })
    mkdirSync(`${root}/node_modules/base-pkg/configs`, { recursive: true })
    writeFileSync(`${root}/node_modules/@tsconfig/strictest/package.json`, JSON.stringify({ name: '@tsconfig/strictest' }))
    writeFileSync(`${root}/node_modules/base-pkg/package.json`, JSON.stringify({ name: 'base-pkg', tsconfig: './configs/app.json' }))
    const layer = () => {
      const config: Record<string, unknown> = {}
      if (next() < 0.4) config.include = pick(INCLUDES.filter((i) => i !== undefined))
      if (next() < 0.3) config.exclude = pick(EXCLUDES.filter((e) => e !== undefined))
      const options = Object.assign({}, ...Array.from({ length: Math.floor(next() * 3) }, () => pick(OPTIONS)))
      if (Object.keys(options).length) config.compilerOptions = options
      return config
    }
    let answered = 0
    for (let round = 0; round < 400; round++) {
      rmSync(`${root}/configs`, { recursive: true, force: true })
      mkdirSync(`${root}/configs/deep`, { recursive: true })
      // each place a config; one may extend another (by the path from its own folder)
      const written: Record<string, Record<string, unknown>> = {}
      for (const [i, [file]] of PLACES.entries()) {
        const config = layer()
        if (i < 2 && next() < 0.4) config.extends = i === 0 ? './configs/deep/paths.json' : PLACES[2]![2]
        if (i === 3 && next() < 0.4) config.extends = PLACES[4]![2]
        writeFileSync(`${root}/${file}`, JSON.stringify(config))
        written[file] = config
      }
      const root_ = layer()
      const chosen = PLACES.filter(() => next() < 0.6)
      root_.extends = chosen.length === 1 && next() < 0.5 ? chosen[0]![1] : chosen.map((p) => p[1])
      if (chosen.length === 0) root_.extends = './configs/strict'
      writeFileSync(tsconfig, JSON.stringify(root_))
      const quick = readConfigQuick(tsconfig, () => {})
      if (quick === null) continue
      answered++
      const theirs = typeScriptReads(tsconfig)
      expect({ root: root_, written, result: 'error' in theirs ? theirs : { files: theirs.files.map((f) => f.slice(root.length + 1)), options: JSON.stringify(theirs.compilerOptions) } })
        .toEqual({ root: root_, written, result: { files: quick.files.map((f) => f.slice(root.length + 1)), options: JSON.stringify(quick.compilerOptions) } })
      expect(quick.configs).toContain(tsconfig)
    }
    // a package whose `exports` would decide: left to TypeScript
    writeFileSync(`${root}/node_modules/base-pkg/package.json`, JSON.stringify({ name: 'base-pkg', exports: { './app': './configs/app.json' } }))
    writeFileSync(tsconfig, JSON.stringify({ extends: 'base-pkg/configs/app' }))
    expect(readConfigQuick(tsconfig, () => {})).toBeNull()
    rmSync(`${root}/configs`, { recursive: true, force: true })
    rmSync(`${root}/node_modules/@tsconfig`, { recursive: true, force: true })
    rmSync(`${root}/node_modules/base-pkg`, { recursive: true, force: true })
    rmSync(`${root}/tsconfig.base.json`, { force: true })
    expect(answered).toBeGreaterThan(150)
  })

  it('reads a solution config (`"files": []` with references) and references beside files of its own as TypeScript does', () => {
    const ts = loadTypeScript()
    const tsconfig = `${root}/tsconfig.json`
    for (const config of [
      { files: [], references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.node.json' }] },
      { files: [], references: [{ path: 'packages/a' }, { path: './lib/' }, { path: '/abs/tsconfig.base.json' }] },
      { include: ['src'], references: [{ path: '../other' }] },
      { compilerOptions: { strict: true }, references: [] },
    ]) {
      writeFileSync(tsconfig, JSON.stringify(config))
      const quick = readConfigQuick(tsconfig, () => {})
      const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, tsconfig)
      expect(quick).not.toBeNull()
      expect({ config, files: quick!.files, references: quick!.references, options: JSON.stringify(quick!.compilerOptions) }).toEqual({
        config,
        files: parsed.fileNames.filter((f) => !/\.d\.[cm]?ts$/.test(f) && !f.endsWith('.js')).sort(),
        references: (parsed.projectReferences ?? []).map((r) => ts.resolveProjectReferencePath(r)),
        options: JSON.stringify(parsed.options),
      })
    }
  })

  it('gives up on extends, files, references of another form, symbolic links and JSON that is not an object', async () => {
    const tsconfig = `${root}/tsconfig.json`
    for (const text of ['{"extends": "./base.json"}', '{"files": ["src/x.ts"]}', '{"files": []}', '{"files": [], "references": [{"path": 1}]}',
      '{"files": [], "include": ["src"], "references": [{"path": "./a"}]}', '{"references": {}}', '[]', '{ "include": "src" }', 'not json']) {
      writeFileSync(tsconfig, text)
      expect(readConfigQuick(tsconfig, () => {})).toBeNull()
    }
    const { symlinkSync } = await import('node:fs')
    symlinkSync(`${root}/lib`, `${root}/src/linked`)
    try {
      writeFileSync(tsconfig, '{"include": ["src"]}')
      expect(readConfigQuick(tsconfig, () => {})).toBeNull()
    } finally {
      rmSync(`${root}/src/linked`)
    }
  })
})
