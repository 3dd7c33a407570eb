/**
 * The caches never change what a build produces: a random walk of edits (policies, new files and
 * folders, deletions, barrels, scope files, tsconfig includes, touches), each followed by time
 * passing for what it changed, compares a cached build with an uncached one after every step — in
 * this process (shared in-memory caches), in a long-lived context told of each change (watch mode)
 * or not (rebuilds), and, at some steps, in a new process (the files on disk).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PluginContext } from '../../plugin/core/context.js'
import { fixture, fixtureCopy } from '../helpers.js'
import { seeded } from '../random.js'

let root: string
beforeEach(() => {
  root = fixtureCopy('basic', 'soak')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))


function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) sourceFiles(p, out)
    else if (p.endsWith('.ts')) out.push(p)
  }
  return out.sort()
}

/** Swaps `a` for `b` in a file, or back; returns the file. */
function toggle(file: string, a: string, b: string): string[] {
  const code = readFileSync(file, 'utf8')
  writeFileSync(file, code.includes(a) ? code.replace(a, b) : code.replace(b, a))
  return [file]
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16)

const options = (cache: boolean) => ({ root, dts: false, report: false, cache: cache ? join(root, 'node_modules/.cache/koan-backup/facts.json') : false as const })

/** What a context produces: the registry, the module and every source file's transform. */
function outputs(ctx: PluginContext): Record<string, string> {
  const out: Record<string, string> = { registry: sha(JSON.stringify(ctx.registry)), module: sha(ctx.moduleCode()), data: sha(ctx.dataCode()) }
  for (const f of sourceFiles(join(root, 'src'))) {
    const code = readFileSync(f, 'utf8')
    out[f.slice(root.length)] = sha(ctx.transform(code, f)?.code ?? code)
  }
  return out
}

/** A new build (and how its scan went). */
function build(cache: boolean): { out: Record<string, string>; stats: PluginContext['stats'] } {
  const ctx = new PluginContext(options(cache))
  return { out: outputs(ctx), stats: ctx.stats }
}

/** The same in a new process (built plugin), with the default cache file. */
function buildInChild(): Record<string, string> {
  const script = `import { PluginContext } from ${JSON.stringify(fixture('../../dist/plugin/core/context.js'))}
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
const root = ${JSON.stringify(root)}
const sha = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16)
const files = (d, out = []) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) files(p, out); else if (p.endsWith('.ts')) out.push(p) } return out.sort() }
const ctx = new PluginContext({ root, dts: false, report: false, cache: join(root, 'node_modules/.cache/koan-backup/facts.json') })
const out = { registry: sha(JSON.stringify(ctx.registry)), module: sha(ctx.moduleCode()), data: sha(ctx.dataCode()) }
for (const f of files(join(root, 'src'))) { const code = readFileSync(f, 'utf8'); out[f.slice(root.length)] = sha(ctx.transform(code, f)?.code ?? code) }
console.log(JSON.stringify(out))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, string>
}

const SEEDS = process.env.KOAN_SOAK_SEED ? [Number(process.env.KOAN_SOAK_SEED)] : [20261127, 7, 424242]

describe('cached builds equal uncached ones along a random walk of edits', () => {
  it.each(SEEDS)('40 steps, seed %i', (seed) => {
    const next = seeded(seed)
    const pick = <T,>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!
    // time passes for what each step changed: a distinct instant an hour ago, so stamps taken then are trusted
    let clock = Date.now() - 3_600_000
    const age = (paths: string[]) => {
      clock += 1000
      const when = new Date(clock)
      for (const p of paths) if (existsSync(p)) utimesSync(p, when, when)
    }
    age(sourceFiles(root).concat([root, join(root, 'src'), join(root, 'src/models'), join(root, 'src/public'), join(root, 'tsconfig.json')]))
    const added: string[] = []
    const edits: Record<string, () => string[]> = {
      policy: () => toggle(join(root, 'src/models/media.ts'), '@EntityBackup()', '@EntityBackup({ encrypt: true })'),
      addFile: () => {
        const f = join(root, `src/models/added${added.length}.ts`)
        writeFileSync(f, `import { Entity, EntityBackup } from 'koan-backup'\n@EntityBackup()\nexport class Added${added.length} extends Entity<Added${added.length}> {\n  n = 0\n}\n`)
        added.push(f)
        return [f, dirname(f)]
      },
      addFolder: () => {
        const dir = join(root, `src/feature${added.length}`)
        mkdirSync(dir, { recursive: true })
        const f = join(dir, 'thing.ts')
        writeFileSync(f, `import { Entity } from 'koan-backup'\nimport { EntityBackup } from '../lib/marks'\n@EntityBackup({ reason: 'soak' })\nexport class Thing${added.length} extends Entity<Thing${added.length}> {\n  label = ''\n}\n`)
        added.push(f)
        return [f, dir, dirname(dir)]
      },
      barrel: () => {
        // the barrel the new folders import their decorator from: ours, or the app's own look-alike
        const f = join(root, 'src/lib/marks.ts')
        const ours = !existsSync(f) || readFileSync(f, 'utf8').includes('function')
        mkdirSync(dirname(f), { recursive: true })
        writeFileSync(f, ours ? "export { EntityBackup } from 'koan-backup'\n" : 'export function EntityBackup(_o?: unknown) { return (c: unknown) => c }\n')
        return [f, dirname(f), dirname(dirname(f))]
      },
      remove: () => {
        const f = added.length ? added.splice(Math.floor(next() * added.length), 1)[0]! : join(root, 'src/models/unmarked.ts')
        if (existsSync(f)) rmSync(f)
        return [f, dirname(f)]
      },
      scope: () => toggle(join(root, 'src/public/backup.scope.ts'), "'all'", "'none'"),
      include: () => {
        const f = join(root, 'tsconfig.json')
        const config = JSON.parse(readFileSync(f, 'utf8')) as { include: string[] }
        config.include = config.include.length === 1 ? ['src/models', 'src/public', 'src/main.ts', 'src/lib'] : ['src']
        writeFileSync(f, JSON.stringify(config))
        return [f]
      },
      touch: () => {
        const f = pick(sourceFiles(join(root, 'src')))
        writeFileSync(f, readFileSync(f, 'utf8'))
        return [f]
      },
      registryImport: () => {
        // main.ts takes the registry alone (rewritten to the registry-only module), or the codecs too (not rewritten)
        const f = join(root, 'src/main.ts')
        return toggle(f, "import { registry } from 'koan-backup/registry'", "import { registry, codecs } from 'koan-backup/registry'\nvoid codecs")
      },
      sameSizeOldTime: () => {
        // a change that keeps the size; the mtime still moves (to this step's instant)
        const f = join(root, 'src/models/user.ts')
        const code = readFileSync(f, 'utf8')
        writeFileSync(f, code.includes('Xx') ? code.replace('Xx', 'Yy') : code.includes('Yy') ? code.replace('Yy', 'Xx') : `${code}// Xx\n`)
        return [f]
      },
    }
    const names = Object.keys(edits)
    const walk: string[] = []
    // a watch-mode context that sees each change through update(), as the bundlers' watchChange hooks call it
    const live = new PluginContext(options(true))
    live.refresh()
    // a context rebuilt without being told what changed, as esbuild, rollup and webpack rebuilds run it
    const rebuilt = new PluginContext(options(true))
    rebuilt.refresh()
    for (let step = 0; step < 40; step++) {
      const name = pick(names)
      walk.push(name)
      const changed = edits[name]!()
      age(changed)
      for (const p of changed) if (!existsSync(p) || statSync(p).isFile()) live.update(p)
      const where = `seed ${seed}, step ${step} (${walk.join(' → ')})`
      const expected = build(false).out
      expect(build(true).out, where).toEqual(expected)
      // a second cached build of the same inputs takes everything from the caches, reading no file
      const again = build(true)
      expect(again.out, `${where}, again`).toEqual(expected)
      expect(again.stats, `${where}, again`).toMatchObject({ cached: true, read: 0, parsed: 0 })
      expect(outputs(live), `${where}, watch mode`).toEqual(expected)
      rebuilt.refresh()
      expect(outputs(rebuilt), `${where}, rebuild`).toEqual(expected)
      if (step % 10 === 9) expect(buildInChild(), `${where}, new process`).toEqual(expected)
    }
    expect(statSync(join(root, 'node_modules/.cache/koan-backup/facts.json')).size).toBeGreaterThan(0)
  }, 120_000)
})
