import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hasDecoratorOrString } from '../../plugin/core/scan/quick/tokens.js'
import { PluginContext } from '../../plugin/core/context.js'
import { resolveOptions } from '../../plugin/core/options.js'
import type { FileFacts } from '../../plugin/core/scan/facts.js'
import { contentHash, parseFacts } from '../../plugin/core/scan/parse.js'
import { Scanner } from '../../plugin/core/scan/scanner.js'
import { TransformEdits } from '../../plugin/core/scan/transform-edits.js'
import { fixture } from '../helpers.js'

describe('transform: strips @EntityBackup', () => {
  const ctx = new PluginContext({ root: fixture('inheritance'), dts: false, report: false })
  ctx.refresh()

  it('blanks the decorator out (through aliases and namespaces) without moving any code', () => {
    for (const [rel, gone] of [['src/models/media.ts', '@EntityBackup()'], ['src/models/video.ts', '@Backup({ encrypt: true })'], ['src/models/event.ts', '@kb.EntityBackup']] as const) {
      const file = join(fixture('inheritance'), rel)
      const code = readFileSync(file, 'utf8')
      const out = ctx.transform(code, file)!
      expect(out.code).not.toContain(gone)
      expect(out.code).toHaveLength(code.length)
      expect(out.code.split('\n').map((l) => l.length)).toEqual(code.split('\n').map((l) => l.length))
      expect(out.code).toMatch(/export class \w+ extends/)
      expect(out.map).toBeNull()
    }
  })

  it('leaves files without our decorator alone, and other decorators in place', () => {
    const file = join(fixture('inheritance'), 'src/base/audited.ts')
    expect(ctx.transform(readFileSync(file, 'utf8'), file)).toBeNull()
    const typeorm = new PluginContext({ root: fixture('typeorm'), dts: false, report: false })
    const post = join(fixture('typeorm'), 'src/post.ts')
    const out = typeorm.transform(readFileSync(post, 'utf8'), post)!
    expect(out.code).toContain('@Entity()')
    expect(out.code).toContain('@PrimaryGeneratedColumn()')
    expect(out.code).not.toContain('@EntityBackup')
  })

  it('code other than the text the scan read (an earlier plugin changed it) gets edits of its own, before and after the scan\'s text was taken', () => {
    const own = new PluginContext({ root: fixture('inheritance'), dts: false, report: false, cache: false })
    own.refresh()
    const file = join(fixture('inheritance'), 'src/models/media.ts')
    const code = readFileSync(file, 'utf8')
    const shifted = `// a banner another plugin added\n${code}`
    const outputs = [shifted, code, shifted, code].map((input) => {
      const out = own.transform(input, file)!
      expect(out.code).not.toContain('@EntityBackup')
      expect(out.code).toHaveLength(input.length)
      expect(out.code).toMatch(/export class \w+ extends/)
      return out.code
    })
    // after the build, the texts the scan kept are let go: the same edits from the code's own hash
    own.refresh()
    own.buildEnd()
    expect(own.transform(code, file)!.code).toBe(outputs[1])
  })

  it('ignores files outside the scan and query suffixes', () => {
    expect(ctx.transform("@EntityBackup() class X {}", '/elsewhere/x.ts')).toBeNull()
    const file = join(fixture('inheritance'), 'src/models/media.ts')
    expect(ctx.transform(readFileSync(file, 'utf8'), `${file}?v=123`)!.code).not.toContain('@EntityBackup')
  })
})

describe('transform: which decorators are ours follows the other files', () => {
  it('a barrel that stops re-exporting EntityBackup stops the stripping in the files using it, and back (one process, cached link)', () => {
    const root = mkdtempSync(join(fixture('..'), '.tmp-transform-'))
    try {
      cpSync(fixture('inheritance'), root, { recursive: true })
      const options = { root, dts: false, report: false, cache: join(root, '.cache/facts.json') } as const
      const media = join(root, 'src/models/media.ts')
      const barrel = join(root, 'src/lib/koan.ts')
      const code = readFileSync(media, 'utf8')
      const stripped = (ctx: PluginContext) => !(ctx.transform(code, media)?.code ?? code).includes('@EntityBackup')
      const ctx = new PluginContext(options)
      ctx.refresh()
      expect(stripped(ctx)).toBe(true)
      // the app's own decorator of the same name: not ours, left in place
      const original = readFileSync(barrel, 'utf8')
      writeFileSync(barrel, 'export function EntityBackup() { return (c: unknown) => c }\n')
      ctx.update(barrel)
      expect(stripped(ctx)).toBe(false)
      writeFileSync(barrel, original)
      ctx.update(barrel)
      expect(stripped(ctx)).toBe(true)
      // a second context of the same inputs takes the ranges from the cached link
      const again = new PluginContext(options)
      again.refresh()
      expect(again.stats.cached).toBe(true)
      expect(stripped(again)).toBe(true)
      // text other than what the scan read is parsed on the spot
      const edited = `// a comment that moves everything\n${code}`
      expect(again.transform(edited, media)!.code).not.toContain('@EntityBackup')
      expect(again.transform(edited, media)!.code).toHaveLength(edited.length)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe('transform: imports that take nothing but the registry', () => {
  const root = fixture('basic')
  const main = join(root, 'src/main.ts')
  const ctx = new PluginContext({ root, dts: false, report: false })
  ctx.refresh()
  const rewrite = (code: string) => ctx.transform(code, main)?.code ?? code

  it('points them at the registry-only module, moving nothing', () => {
    for (const line of [
      "import { registry } from 'koan-backup/registry'",
      'import { registry } from "koan-backup/registry"',
      "import { registry as r } from 'koan-backup/registry'",
      "import { registry, type BackupRegistryLike } from 'koan-backup/registry'",
      "import {\n  registry,\n} from 'koan-backup/registry'",
    ]) {
      const code = `${line}\nconsole.log(1)\n`
      const out = rewrite(code)
      expect(out, line).toBe(code.replace('koan-backup/registry', 'koan-backup/reg-data'))
      expect(out).toHaveLength(code.length)
    }
  })

  it('leaves every other form to the full module', () => {
    for (const line of [
      "import { registry, codecs } from 'koan-backup/registry'",
      "import { backup } from 'koan-backup/registry'",
      "import * as generated from 'koan-backup/registry'",
      "import generated from 'koan-backup/registry'",
      "import 'koan-backup/registry'",
      "import type { registry } from 'koan-backup/registry'",
      "export { registry } from 'koan-backup/registry'",
      "const text = \"import { registry } from 'koan-backup/registry'\"",
      "import { registry } from 'koan-backup\\u002fregistry'",
      "const lazy = () => import('koan-backup/registry')",
      "import { registry } from 'virtual:koan-backup'",
    ]) {
      const code = `${line}\nconsole.log(1)\n`
      expect(rewrite(code), line).toBe(code)
    }
  })

  it('rewrites each qualifying import of a file, next to the decorators it strips', () => {
    const code = [
      "import { Entity, EntityBackup } from 'koan-backup'",
      "import { registry } from 'koan-backup/registry'",
      "import { codecs } from 'koan-backup/registry'",
      '@EntityBackup()',
      'export class Extra extends Entity<Extra> { id = "" }',
      '',
    ].join('\n')
    const out = rewrite(code)
    expect(out.split('\n')).toEqual([
      "import { Entity, EntityBackup } from 'koan-backup'",
      "import { registry } from 'koan-backup/reg-data'",
      "import { codecs } from 'koan-backup/registry'",
      '               ',
      'export class Extra extends Entity<Extra> { id = "" }',
      '',
    ])
  })
})

describe('transform: the link tells the decorators apart once', () => {
  /** Every scanned file of a fixture: its edits as the link found them, and as the transform finds them on its own. */
  function compare(name: string) {
    const options = resolveOptions({ root: fixture(name), dts: false, report: false, cache: false })
    const scanner = new Scanner(options)
    scanner.scan()
    const text = new Map<string, string>()
    const read = (f: string) => text.get(f) ?? (text.set(f, readFileSync(f, 'utf8')), text.get(f)!)
    const facts = new Map<string, FileFacts>()
    const own = new TransformEdits({
      files: () => scanner.watchFiles(),
      hashOf: (f) => contentHash(read(f)),
      takeText: () => undefined,
      factsOf: (f) => facts.get(f) ?? (facts.set(f, parseFacts(f, read(f), contentHash(read(f)))), facts.get(f)!),
      resolver: () => scanner.moduleResolver,
      linkedStrip: () => undefined,
    })
    const files = scanner.watchFiles().filter((f) => /\.[cm]?[jt]sx?$/.test(f))
    return files.map((f) => ({ file: f.slice(options.root.length + 1), linked: scanner.transformEdits(f, read(f)), own: own.of(f, read(f)) }))
  }

  it.each(['basic', 'inheritance', 'class-expressions', 'decorator-flavours', 'typeorm', 'static-args', 'scopes', 'names', 'shared-types'])('%s: the same edits for every file', (name) => {
    const rows = compare(name)
    for (const r of rows) expect(r.linked, r.file).toEqual(r.own)
    // the fixtures hold decorators to strip (and the look-alikes of inheritance and typeorm to leave)
    expect(rows.some((r) => r.linked.strip.length > 0)).toBe(true)
  })

  it('strips @EntityBackup from a class expression too', () => {
    const receipt = compare('class-expressions').find((r) => r.file === 'src/models/receipt.ts')!
    const text = readFileSync(join(fixture('class-expressions'), receipt.file), 'utf8')
    expect(receipt.linked.strip.map(([s, e]) => text.slice(s, e))).toEqual(['@EntityBackup()'])
    expect(receipt.own).toEqual(receipt.linked)
  })
})

describe('a decorated file the scan does not read (KB035)', () => {
  // outside the tsconfig's include, reached only through src/glue.js
  const file = join(fixture('basic'), 'legacy/lazy.ts')
  const code = readFileSync(file, 'utf8')
  const run = (strict: boolean) => {
    const ctx = new PluginContext({ root: fixture('basic'), dts: false, report: false, cache: false, strict })
    const found: Array<{ code: string; severity: string; at: string }> = []
    const out = ctx.transform(code, file, (d) => found.push({ code: d.code, severity: d.severity, at: `${d.file}:${d.line}:${d.column}` }))
    return { out, found }
  }

  it('strips the decorator and hands one warning at it', () => {
    const { out, found } = run(false)
    expect(out!.code).not.toContain('@EntityBackup')
    expect(out!.code).toHaveLength(code.length)
    expect(found).toEqual([{ code: 'KB035', severity: 'warning', at: 'legacy/lazy.ts:7:1' }])
  })

  it('hands an error under strict', () => {
    expect(run(true).found).toEqual([{ code: 'KB035', severity: 'error', at: 'legacy/lazy.ts:7:1' }])
  })

  it('leaves alone, unparsed, a file that only names EntityBackup and the registry (in comments and strings)', () => {
    // a linked package's own build, say: JavaScript, which would load TypeScript to parse
    const id = join(fixture('basic'), 'linked/runtime.js')
    const code = [
      '/** The markers (`@EntityBackup`), and `backup` of `koan-backup/registry`. */',
      "export { EntityBackup } from './markers.js'",
      "export const hint = `via @EntityBackup at ${'x'}`",
      "export const id = 'koan-backup/registry!'",
    ].join('\n')
    expect(hasDecoratorOrString(code, 'koan-backup/registry')).toBe(false)
    // in a process of its own: JavaScript parsed would load TypeScript, which this one did long ago
    const script = `import { PluginContext } from ${JSON.stringify(fixture('../../dist/plugin/core/context.js'))}
import { typeScriptLoaded } from ${JSON.stringify(fixture('../../dist/plugin/core/scan/morph.js'))}
const ctx = new PluginContext({ root: ${JSON.stringify(fixture('basic'))}, dts: false, report: false, cache: false })
const [code, decorated] = JSON.parse(process.argv[1])
const plain = ctx.transform(code, ${JSON.stringify(id)}, () => {})
const before = typeScriptLoaded()
ctx.transform(decorated, ${JSON.stringify(join(fixture('basic'), 'linked/late.js'))}, () => {})
console.log(JSON.stringify({ unchanged: plain === null || plain.code === code, before, after: typeScriptLoaded() }))`
    const decoratedJs = "import { EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class Late {}\n"
    const child = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([code, decoratedJs])], { encoding: 'utf8' })
    expect(JSON.parse(child)).toEqual({ unchanged: true, before: false, after: true })
    const ctx = new PluginContext({ root: fixture('basic'), dts: false, report: false, cache: false })
    const found: unknown[] = []
    const out = ctx.transform(code, id, (d) => found.push(d))
    expect(out === null || out.code === code).toBe(true)
    expect(found).toEqual([])
    // a decorator, or an import of the registry, is read
    expect(hasDecoratorOrString('import { registry } from "koan-backup/registry"', 'koan-backup/registry')).toBe(true)
    const decorated = "import { EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class Late {}\n"
    expect(hasDecoratorOrString(decorated, 'koan-backup/registry')).toBe(true)
    const js = ctx.transform(decorated, join(fixture('basic'), 'linked/late.js'), (d) => found.push(d))!
    expect(js.code).not.toContain('@EntityBackup')
    expect(found).toEqual([expect.objectContaining({ code: 'KB035', file: 'linked/late.js', line: 2 })])
  })

  it('says nothing for a scanned file: listed, or imported by a listed one (legacy/archive.ts)', () => {
    for (const rel of ['src/models/media.ts', 'legacy/archive.ts']) {
      const other = join(fixture('basic'), rel)
      const ctx = new PluginContext({ root: fixture('basic'), dts: false, report: false, cache: false })
      const found: unknown[] = []
      expect(ctx.transform(readFileSync(other, 'utf8'), other, (d) => found.push(d))!.code).not.toContain('@EntityBackup')
      expect(found).toEqual([])
    }
  })
})

describe("the transform's filter", () => {
  it("leaves this package's own runtime files to the bundler (checkout or linked install: outside node_modules), and no project file", async () => {
    const { koanBackup } = await import('../../plugin/index.js')
    const plugin = koanBackup.raw({ dts: false }, { framework: 'vite' } as never) as { transform: { filter: { id: { exclude: RegExp[] } } } }
    const excluded = (id: string) => plugin.transform.filter.id.exclude.some((r) => r instanceof RegExp && r.test(id))
    const runtime = join(fixture('../..'), 'runtime')
    for (const file of ['index.js', 'markers.js', 'engine/api.js']) expect(excluded(join(runtime, file)), file).toBe(true)
    expect(excluded(join(runtime, 'engine/api.js').replaceAll('/', '\\'))).toBe(true)
    for (const id of [fixture('basic/src/models/media.ts'), `${runtime}x/a.ts`, join(fixture('../..'), 'plugin/core/context.ts')]) expect(excluded(id), id).toBe(false)
  })
})
