import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadProject } from '../../plugin/core/scan/project.js'
import { fixture, fixtureCopy } from '../helpers.js'

let root: string
beforeEach(() => {
  root = fixtureCopy('basic', 'listing')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** Everything under root last modified a minute ago (stamps taken now are trusted). */
function age(dir = root): void {
  const when = new Date(Date.now() - 60_000)
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) age(path)
    utimesSync(path, when, when)
  }
  utimesSync(dir, when, when)
}

const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1))

describe('project listing: reused while its config files and directories are unchanged', () => {
  for (const withTsconfig of [true, false]) {
    const tsconfig = () => (withTsconfig ? join(root, 'tsconfig.json') : null)
    const label = withTsconfig ? 'tsconfig include patterns' : 'no tsconfig (every TypeScript file under root)'

    it(`${label}: the same listing while nothing changed; a file added anywhere the listing looked is seen`, () => {
      if (!withTsconfig) rmSync(join(root, 'tsconfig.json'))
      mkdirSync(join(root, 'src/assets'))
      writeFileSync(join(root, 'src/assets/logo.txt'), 'not a source file')
      age()
      const first = loadProject(root, tsconfig())
      expect(first.inputs).not.toBeNull()
      expect(loadProject(root, tsconfig(), first)).toBe(first)
      // a new file in a folder that held no source file until now
      writeFileSync(join(root, 'src/assets/icons.ts'), 'export const icons = 1\n')
      const second = loadProject(root, tsconfig(), first)
      expect(second).not.toBe(first)
      expect(rel(second.files)).toContain('src/assets/icons.ts')
      expect(second.inputs).toBeNull() // the folder changed a moment ago: not reused until it is older
      expect(loadProject(root, tsconfig(), second)).not.toBe(second)
    })
  }

  it('a changed tsconfig or a config it extends is a new listing', () => {
    writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { strict: true } }))
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ extends: './tsconfig.base.json', include: ['src'] }))
    age()
    const first = loadProject(root, join(root, 'tsconfig.json'))
    expect(Object.keys(first.inputs!)).toContain(join(root, 'tsconfig.base.json'))
    expect(loadProject(root, join(root, 'tsconfig.json'), first)).toBe(first)
    writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { strict: true, baseUrl: '.' } }))
    const second = loadProject(root, join(root, 'tsconfig.json'), first)
    expect(second).not.toBe(first)
    expect(second.compilerOptions.baseUrl).toBeTruthy()
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ extends: './tsconfig.base.json', include: ['src/models'] }))
    expect(rel(loadProject(root, join(root, 'tsconfig.json'), second).files).every((f) => f.startsWith('src/models/'))).toBe(true)
  })

  it('a solution config (`"files": []` with references, as vite writes tsconfig.json) lists the files of the projects it references', () => {
    rmSync(join(root, 'tsconfig.json'))
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ files: [], references: [{ path: './tsconfig.app.json' }, { path: './tools' }] }))
    writeFileSync(join(root, 'tsconfig.app.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', strict: true }, include: ['src'] }))
    mkdirSync(join(root, 'tools'))
    writeFileSync(join(root, 'tools/tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' }, include: ['*.ts'], references: [{ path: '..' }] }))
    writeFileSync(join(root, 'tools/build.ts'), 'export const build = 1\n')
    age()
    const listing = loadProject(root, join(root, 'tsconfig.json'))
    expect(rel(listing.files)).toEqual([...rel(loadProject(root, join(root, 'tsconfig.app.json')).files), 'tools/build.ts'].sort())
    expect(rel(listing.files)).toContain('src/models/user.ts')
    // the options of the first referenced project that lists files (bundler resolution here)
    expect(listing.compilerOptions).toMatchObject({ moduleResolution: 100, configFilePath: join(root, 'tsconfig.app.json') })
    // reused while the configs hold; an edit of a referenced one is a new listing
    expect(loadProject(root, join(root, 'tsconfig.json'), listing)).toBe(listing)
    writeFileSync(join(root, 'tools/tsconfig.json'), JSON.stringify({ include: [] , files: ['build.ts'] }))
    const edited = loadProject(root, join(root, 'tsconfig.json'), listing)
    expect(edited).not.toBe(listing)
    expect(rel(edited.files)).toContain('tools/build.ts')
    // a reference to a config that is not there says so
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ files: [], references: [{ path: './gone' }] }))
    expect(() => loadProject(root, join(root, 'tsconfig.json'))).toThrow(/references .*gone\/tsconfig\.json, which does not exist/)
  })

  it('a listing of another root or tsconfig is not used', () => {
    age()
    const first = loadProject(root, join(root, 'tsconfig.json'))
    expect(loadProject(root, null, first)).not.toBe(first)
  })
})

describe('a build whose inputs were all seen before does not load TypeScript nor parse its registry', () => {
  const run = () => {
    const script = `import { PluginContext } from ${JSON.stringify(fixture('../../dist/plugin/core/context.js'))}
import { typeScriptLoaded } from ${JSON.stringify(fixture('../../dist/plugin/core/scan/morph.js'))}
import { readFileSync } from 'node:fs'
// counts the registry's JSON being parsed (a cached build takes its texts and diagnostics without it)
const parse = JSON.parse
let registryParsed = 0
JSON.parse = function (text, reviver) { if (typeof text === 'string' && text.startsWith('{"formatVersion"')) registryParsed++; return parse.call(this, text, reviver) }
const ctx = new PluginContext({ root: ${JSON.stringify(root)}, dts: ${JSON.stringify(join(root, 'node_modules/.cache/types/koan-backup.d.ts'))}, report: true, logger: { info() {}, warn() {} } })
const code = ctx.moduleCode() + ctx.dataCode()
ctx.report()
const diagnostics = ctx.diagnostics.length
const file = ${JSON.stringify(join(root, 'src/models/media.ts'))}
const out = ctx.transform(readFileSync(file, 'utf8'), file)
const parsed = registryParsed
console.log(JSON.stringify({ ts: typeScriptLoaded(), read: ctx.stats.read, cached: ctx.stats.cached === true, stripped: !!out && !/@EntityBackup/.test(out.code), entities: ctx.registry.entities.length, registryParsed: parsed, diagnostics }))`
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { ts: boolean; read: number; cached: boolean; stripped: boolean; entities: number; registryParsed: number; diagnostics: number }
  }

  it('the scan, the generated module and the transform run from the caches; an edit relinks without it', () => {
    // (the root folder is an input of the listing: TypeScript's matcher lists it to find src)
    age()
    const first = run()
    // a first build needs no TypeScript either: its tsconfig is read, its files parsed and its imports resolved without it
    expect(first).toMatchObject({ ts: false, cached: false, stripped: true })
    // nor does it read the facts (without their file, the build is the same)
    rmSync(join(root, 'node_modules/.cache/koan-backup/facts.data.json'))
    // nor parse the registry: the modules, the report, the .d.ts and the diagnostics come as they were
    expect(run()).toEqual({ ...first, ts: false, read: 0, cached: true, registryParsed: 0 })
    const file = join(root, 'src/models/media.ts')
    writeFileSync(file, `${'// edited\n'}${execFileSync('cat', [file], { encoding: 'utf8' })}`)
    // the link needs every file's facts again: those the cache lost are read and parsed (by the
    // quick reader: these files need no TypeScript)
    expect(run()).toMatchObject({ ts: false, read: 1, cached: false, stripped: true, entities: first.entities })
    // (the file edited a moment ago is read every time until it is older, but not parsed)
    expect(run()).toMatchObject({ ts: false, read: 1, cached: true, stripped: true, entities: first.entities })
  })
})
