/**
 * The plugin across edits: the vite dev server and esbuild's incremental `context()`.
 * Each test edits a copy of `test/fixtures/basic` under `test/.tmp/` (inside the repo, so the copy
 * still resolves `koan-backup` by package self-reference); the copy is removed afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { context, formatMessages } from 'esbuild'
import koanEsbuild from 'koan-backup/plugin/esbuild'
import koanVite from 'koan-backup/plugin/vite'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackupRegistry } from 'koan-backup'
import {
  copyFixture, decoratorTraces, editSeenByWatcher, removeDir, runBundle, tempOutDir, UNMARKED_AT, UNMARKED_WITH_BACKUP,
} from './helpers.js'

const UNMARKED = 'src/models/unmarked.ts'

function statusOf(registry: BackupRegistry, name: string): string | undefined {
  return registry.entities.find((e) => e.name === name)?.status
}

describe('vite dev server', () => {
  let root: string
  let server: ViteDevServer

  const served = async (): Promise<BackupRegistry> =>
    ((await server.ssrLoadModule('koan-backup/registry')) as { registry: BackupRegistry }).registry

  beforeAll(async () => {
    root = copyFixture()
    server = await createServer({
      root,
      configFile: false,
      plugins: [koanVite({ dts: false })],
      server: { middlewareMode: true },
      logLevel: 'silent',
    })
  })

  afterAll(async () => {
    await server?.close()
    if (root) removeDir(root)
  })

  it('serves koan-backup/registry and strips @EntityBackup in dev', async () => {
    const registry = await served()
    expect(statusOf(registry, 'UnmarkedEntity')).toBe('uncovered')
    expect(registry.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toContain(`${UNMARKED_AT} KB001`)

    const media = await server.environments.ssr.transformRequest('/src/models/media.ts')
    expect(media).not.toBeNull()
    expect(decoratorTraces(media!.code)).toEqual([])
    const loaded = (await server.ssrLoadModule('/src/models/media.ts')) as { Media: new () => { title: string } }
    expect(new loaded.Media().title).toBe('')
  })

  it('serves the registry-only module to an importer that takes nothing else: the same registry object', async () => {
    const main = await server.environments.ssr.transformRequest('/src/main.ts')
    expect(main!.code).toContain('/__koan-backup/registry-data.mjs')
    const data = (await server.ssrLoadModule('koan-backup/reg-data')) as { registry: BackupRegistry }
    expect(data.registry).toBe(await served())
  })

  describe(`after adding @EntityBackup() to ${UNMARKED}`, () => {
    beforeAll(async () => {
      await served() // the registry module is in the module graph before the edit
      await editSeenByWatcher(server, join(root, UNMARKED), UNMARKED_WITH_BACKUP)
    })

    // vite calls the plugin's `watchChange` from its own watcher listener; that hook re-scans and
    // invalidates the generated modules, so the next load serves the new registry
    it('invalidates the served koan-backup/registry module', async () => {
      await expect
        .poll(async () => statusOf(await served(), 'UnmarkedEntity'), { timeout: 5000, interval: 100 })
        .toBe('included')
    })

    it('has re-scanned the edited file (its load hook returns the new registry)', async () => {
      // reads the plugin's current registry-only module (which the full one re-exports) without touching vite's module graph
      const container = server.environments.ssr.pluginContainer
      const id = (await container.resolveId('koan-backup/reg-data'))?.id
      expect(id).toBeTruthy()
      const loaded = await container.load(id!)
      const code = typeof loaded === 'string' ? loaded : loaded?.code
      expect(code).toBeTruthy()
      // the registry is embedded as one single-quoted JSON string literal
      const literal = /export const registry = JSON\.parse\(('(?:[^'\\]|\\.)*')\)/.exec(code!)?.[1]
      expect(literal).toBeTruthy()
      const registry = JSON.parse(new Function(`return ${literal!}`)() as string) as BackupRegistry
      expect(statusOf(registry, 'UnmarkedEntity')).toBe('included')
      expect(registry.diagnostics).toEqual([])
    })
  })
})

describe('esbuild context()', () => {
  let root: string
  let outDir: string

  beforeAll(() => {
    root = copyFixture()
    outDir = tempOutDir()
  })

  afterAll(() => {
    if (root) removeDir(root)
    if (outDir) removeDir(outDir)
  })

  it('rebuild() re-scans edited files: the warning goes and the bundled registry changes', async () => {
    const outfile = join(outDir, 'main.mjs')
    const ctx = await context({
      absWorkingDir: root,
      entryPoints: ['src/main.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      plugins: [koanEsbuild({ dts: false, report: false })],
      logLevel: 'silent',
    })
    try {
      const first = await ctx.rebuild()
      expect((await formatMessages(first.warnings, { kind: 'warning', color: false })).join('\n')).toContain(`${UNMARKED_AT} KB001`)
      expect(runBundle(outfile).entities).toEqual(expect.arrayContaining(['UnmarkedEntity:uncovered', 'Media:included']))

      // an entity outside the bundle graph gets covered; an imported one opts out
      writeFileSync(join(root, UNMARKED), UNMARKED_WITH_BACKUP)
      const mediaFile = join(root, 'src/models/media.ts')
      writeFileSync(mediaFile, readFileSync(mediaFile, 'utf8').replace('@EntityBackup()', "@EntityBackup({ enabled: false, reason: 'moved' })"))

      const second = await ctx.rebuild()
      // what is left: the fixture's decorated class in a file the scan does not read (legacy/lazy.ts, reached through JavaScript)
      expect(second.warnings.map((w) => w.text)).toEqual([expect.stringContaining('legacy/lazy.ts:7:1 KB035')])
      expect(second.errors).toEqual([])
      expect(runBundle(outfile).entities).toEqual(expect.arrayContaining(['UnmarkedEntity:included', 'Media:excluded']))
      expect(decoratorTraces(readFileSync(outfile, 'utf8'))).toEqual([])
    } finally {
      await ctx.dispose()
    }
  })
})

describe('esbuild watch()', () => {
  let root: string
  let outDir: string

  beforeAll(() => {
    root = copyFixture()
    outDir = tempOutDir()
  })

  afterAll(() => {
    if (root) removeDir(root)
    if (outDir) removeDir(outDir)
  })

  it('rebuilds when an entity file outside the import graph changes (the registry watches every scanned file)', async () => {
    const outfile = join(outDir, 'main.mjs')
    let builds = 0
    const ctx = await context({
      absWorkingDir: root, entryPoints: ['src/main.ts'], bundle: true, platform: 'node', format: 'esm', outfile,
      plugins: [koanEsbuild({ dts: false, report: false }), { name: 'count', setup: (b) => b.onEnd(() => void builds++) }],
      logLevel: 'silent',
    })
    try {
      await ctx.watch()
      const deadline = (ms: number) => Date.now() + ms
      for (const end = deadline(5000); builds < 1 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50))
      expect(runBundle(outfile).entities).toContain('UnmarkedEntity:uncovered')
      writeFileSync(join(root, UNMARKED), UNMARKED_WITH_BACKUP)
      for (const end = deadline(8000); Date.now() < end;) {
        await new Promise((r) => setTimeout(r, 100))
        if (builds > 1 && runBundle(outfile).entities.includes('UnmarkedEntity:included')) break
      }
      expect(runBundle(outfile).entities).toContain('UnmarkedEntity:included')
    } finally {
      await ctx.dispose()
    }
  })
})
