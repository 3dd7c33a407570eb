import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BackupRegistry } from 'koan-backup'
import koanVite from 'koan-backup/plugin/vite'
import { createServer, type ViteDevServer } from 'vite'

/** The fixture every bundler builds (read only). */
export const FIXTURE = fileURLToPath(new URL('../fixtures/basic', import.meta.url))

/** Where the uncovered entity is declared (`export class UnmarkedEntity` → name at col 14). */
export const UNMARKED_AT = 'src/models/unmarked.ts:3:14'

/** Entities (`Name:status`) the built `src/main.ts` must print. */
export const EXPECTED_ENTITIES = ['UnmarkedEntity:uncovered', 'Media:included', 'User:included', 'SearchIndex:excluded', 'Archive:included']

/** `src/models/unmarked.ts` with `@EntityBackup()` added (the class keeps its name, now on line 4). */
export const UNMARKED_WITH_BACKUP = [
  "import { Entity, EntityBackup } from 'koan-backup'",
  '',
  '@EntityBackup()',
  'export class UnmarkedEntity extends Entity<UnmarkedEntity> {',
  "  note = ''",
  '}',
  '',
].join('\n')

/**
 * A fresh output folder under `test/.tmp/` (git-ignored): inside the repository, so packages a
 * bundler leaves external (vite SSR keeps `zod` external) still resolve when the bundle runs.
 */
export function tempOutDir(): string {
  const base = fileURLToPath(new URL('../.tmp/', import.meta.url))
  mkdirSync(base, { recursive: true })
  return mkdtempSync(join(base, 'out-'))
}

/** Writes `files` (paths relative to `dir`, with their text) under `dir`, making their folders. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
}

/** Removes folders made by `tempOutDir` / `copyFixture`. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/**
 * A writable copy of the fixture at `test/.tmp/<random>` (git-ignored). It stays inside the
 * repository so that `import 'koan-backup'` still resolves to this package by self-reference.
 */
export function copyFixture(): string {
  const base = fileURLToPath(new URL('../.tmp/', import.meta.url))
  mkdirSync(base, { recursive: true })
  const dir = join(base, `bundler-${randomBytes(6).toString('hex')}`)
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

/** What `src/main.ts` prints. */
export interface Summary {
  entities: string[]
  mediaTitle: string
  userIsClass: boolean
  archiveLabel: string
  lazyLabel: string
}

/** Runs a built bundle with this Node and parses the JSON it prints. */
export function runBundle(file: string): Summary {
  const stdout = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 10_000 })
  const line = stdout.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(line) as Summary
  } catch {
    throw new Error(`${file} did not print JSON:\n${stdout}`)
  }
}

/**
 * Traces of `@EntityBackup` surviving in emitted code: the decorator left as syntax, a call of it
 * (`EntityBackup(`, `(0, x.EntityBackup)(`), or a bundler's decorator helper. Mentions of
 * `@EntityBackup()` inside the registry's hint strings and the (unused) declaration
 * `function EntityBackup(` are not traces.
 */
export function decoratorTraces(code: string): string[] {
  const patterns = [
    /^[ \t]*@EntityBackup\b.*$/gm,
    /(?<![@\w$])(?<!function\s+)EntityBackup\)?\s*\(/g,
    /\b(?:__decorateClass|__decorateElement|__decoratorStart|__decorate|__esDecorate|_ts_decorate|_apply_decs\w*|_applyDecs\w*)\b/g,
  ]
  return patterns.flatMap((p) => [...code.matchAll(p)].map((m) => m[0].trim()))
}

/**
 * Writes `file` and waits until the dev server's watcher reports the change. The write is
 * repeated every 500 ms, in case the watcher was not watching yet when it first happened.
 */
export async function editSeenByWatcher(server: ViteDevServer, file: string, content: string, timeout = 5000): Promise<void> {
  const target = resolve(file)
  const timers: NodeJS.Timeout[] = []
  let onChange: ((path: string) => void) | undefined
  try {
    await new Promise<void>((done, fail) => {
      onChange = (path) => void (resolve(path) === target && done())
      server.watcher.on('change', onChange)
      writeFileSync(file, content)
      timers.push(setInterval(() => writeFileSync(file, content), 500))
      timers.push(setTimeout(() => fail(new Error(`vite's watcher did not report ${file} within ${timeout} ms`)), timeout))
    })
  } finally {
    timers.forEach(clearTimeout)
    if (onChange) server.watcher.off('change', onChange)
  }
}

/** A vite dev server on `root` with the plugin (middleware mode, silent). */
export function devServer(root: string): Promise<ViteDevServer> {
  return createServer({ root, configFile: false, plugins: [koanVite({ dts: false })], server: { middlewareMode: true }, logLevel: 'silent' })
}

/** The entities a dev server's registry module serves, as `name:status:file`, sorted. */
export async function servedEntities(server: ViteDevServer): Promise<string[]> {
  const { registry } = (await server.ssrLoadModule('koan-backup/registry')) as { registry: BackupRegistry }
  return registry.entities.map((e) => `${e.name}:${e.status}:${e.file}`).sort()
}
