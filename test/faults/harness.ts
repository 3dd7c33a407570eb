/**
 * Shared helpers of the fault-injection suite (`npm run test:faults`): one seeded PRNG per run, the four
 * integrity modes, engines and stores that count writes, a child-process runner for kill -9, and the
 * figure reporter. Keep this API small: every group's test file builds on it.
 *
 * Seed: `KOAN_FAULT_SEED=<n>` replays a run; otherwise the global setup picks one and prints it.
 * Scale: `KOAN_FAULT_SCALE=<x>` multiplies trial counts (`scaled(n)`), e.g. 0.1 for a quick local run.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import koanBackup from 'koan-backup/plugin/esbuild'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { Collection, DataStore, EntityDescriptor, EntityId } from '../../runtime/adapters/data/types.js'
import type { BackupConfig } from '../../runtime/config.js'
import type { EntityBackupApi } from '../../runtime/engine/api.js'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { isBackupError } from '../../runtime/errors.js'
import { engine } from '../engine/setup.js'
import { fixture } from '../helpers.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'
import { seeded } from '../random.js'

// ---------------------------------------------------------------- seed and randomness

function initialSeed(): number {
  const env = process.env.KOAN_FAULT_SEED
  if (env !== undefined && env !== '') {
    const n = Number(env)
    if (!Number.isInteger(n) || n < 0) throw new Error(`KOAN_FAULT_SEED must be a non-negative integer, got ${env}`)
    return n >>> 0
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0
}

/** The run's seed (the global setup sets `KOAN_FAULT_SEED` so every worker shares it). */
export const SEED = initialSeed()

/** A seeded pseudo-random source (mulberry32). */
export interface Rng {
  /** The seed this stream started from (print it with a failure). */
  readonly seed: number
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, max). */
  int(max: number): number
  pick<T>(items: readonly T[]): T
}

function hash32(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/** A PRNG for one test, derived from the run seed and a label (so tests do not disturb each other). */
export function rng(label: string): Rng {
  const seed = (SEED ^ hash32(label)) >>> 0
  const next = seeded(seed)
  return { seed, next, int: (max) => Math.floor(next() * max), pick: (items) => items[Math.floor(next() * items.length)]! }
}

/** `n` scaled by `KOAN_FAULT_SCALE` (at least 1). Report the scaled count, never `n`. */
export function scaled(n: number): number {
  const scale = Number(process.env.KOAN_FAULT_SCALE ?? '1')
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

/** Runs `fn`; on failure rethrows with the seed and label, so the run can be replayed. */
export async function withSeed<T>(label: string, fn: (r: Rng) => Promise<T>): Promise<T> {
  const r = rng(label)
  try {
    return await fn(r)
  } catch (error) {
    const e = error as Error
    e.message = `${e.message}\n  [faults] ${label}: replay with KOAN_FAULT_SEED=${SEED}`
    throw e
  }
}

// ---------------------------------------------------------------- modes

/** The four integrity modes of the matrix. */
export type ModeName = 'plain' | 'gzip' | 'encrypted' | 'gzip+encrypted'

/** A mode: which fixture entity (encryption follows the entity's policy) and whether data is gzipped. */
export interface Mode {
  name: ModeName
  /** Class name in the codec fixture: `Media` (not encrypted) or `Account` (`encrypt: true`). */
  entity: 'Media' | 'Account'
  fullName: string
  compress: boolean
  encrypted: boolean
}

export const MODES: readonly Mode[] = [
  { name: 'plain', entity: 'Media', fullName: 'src.entities.Media', compress: false, encrypted: false },
  { name: 'gzip', entity: 'Media', fullName: 'src.entities.Media', compress: true, encrypted: false },
  { name: 'encrypted', entity: 'Account', fullName: 'src.entities.Account', compress: false, encrypted: true },
  { name: 'gzip+encrypted', entity: 'Account', fullName: 'src.entities.Account', compress: true, encrypted: true },
]

/** The key configuration every mode uses (the same in parent and child processes). */
export const KEYS = { keys: { k1: `base64:${Buffer.alloc(32, 7).toString('base64')}` } }

/** Rows of a mode's entity, as plain field objects (`id` = `<prefix><i>`). */
export function rowFields(mode: Mode, n: number, offset = 0): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset
    return mode.entity === 'Media'
      ? { id: `m${i}`, title: `title ${i}`, description: `desc "${i}" ${'d'.repeat(i % 40)}`, views: i, rating: (i % 5) + 0.5, createdAt: new Date(1_700_000_000_000 + i * 1000), dimensions: { width: i, height: i * 2 }, tags: [`t${i % 3}`] }
      : { id: `a${i}`, email: `user${i}@example.com`, balance: BigInt(i) * 10n ** 18n, openedAt: new Date(i * 1e6) }
  })
}

/** An engine over one mode: memory store (or the given one), encryption keys configured, `api` bound to the entity. */
export async function modeEngine(mode: Mode, options: { path?: string; store?: DataStore; fs?: BackupFs; config?: BackupConfig } = {}) {
  const e = await engine({ ...options, config: { encryption: KEYS, ...options.config } })
  const codec = e.m.codecs[mode.fullName]!
  const descriptor: EntityDescriptor = descriptorOf(codec)
  const Cls = e.m[mode.entity] as new () => object
  const api: EntityBackupApi = e.backup.entity(mode.entity)
  return {
    ...e, mode, api, descriptor,
    /** Adds `n` rows to the store. */
    async seed(n: number, offset = 0) {
      const c = await e.store.collection(descriptor)
      await c.upsert(rowFields(mode, n, offset).map((f) => Object.assign(new Cls(), f)))
    },
    /** Backs up the entity in this mode. */
    create: () => api.create({ compress: mode.compress }),
    /** The entity's rows in the store, in stored form (comparable with `toStrictEqual`). */
    async rows() {
      const out: unknown[] = []
      for await (const row of (await e.store.collection(descriptor)).stream()) out.push(descriptor.toStored(row))
      return out
    },
  }
}

/** A temporary folder for one test; remove it with {@link removeDir}. */
export function tempDir(label = 'faults'): string {
  return mkdtempSync(join(tmpdir(), `kb-${label}-`))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

// ---------------------------------------------------------------- counting store

/**
 * `c` with every write path wrapped: `onWrite(rows)` hears each call and the rows it wrote (`upsert`,
 * the restore's stored paths `upsertStored` / `insertNewStored`, and the text paths `upsertTexts` /
 * `insertNewTexts` of a store keeping rows as JSON; for the insert-new paths, the rows not skipped).
 */
export function withWriteCounts(c: Collection, onWrite: (rows: number) => void): Collection {
  /** A write of every row it is given (the rows are its first argument). */
  const all = <A extends [unknown[], ...unknown[]]>(write: (...args: A) => Promise<void>) => async (...args: A) => {
    onWrite(args[0].length)
    return write(...args)
  }
  /** An insert of the rows whose id is new: the rows it did not skip count. */
  const inserted = <A extends [unknown[], ...unknown[]]>(write: (...args: A) => Promise<EntityId[]>) => async (...args: A) => {
    const skipped = await write(...args)
    onWrite(args[0].length - skipped.length)
    return skipped
  }
  const wrapped: Collection = Object.create(c)
  wrapped.upsert = all(c.upsert.bind(c))
  if (c.upsertStored) wrapped.upsertStored = all(c.upsertStored.bind(c))
  if (c.insertNewStored) wrapped.insertNewStored = inserted(c.insertNewStored.bind(c))
  if (c.upsertTexts) wrapped.upsertTexts = all(c.upsertTexts.bind(c))
  if (c.insertNewTexts) wrapped.insertNewTexts = inserted(c.insertNewTexts.bind(c))
  return wrapped
}

/** A store wrapper that counts every committed write (`upsert`/`upsertStored`/`insertNewStored`/`upsertTexts`/`insertNewTexts` calls and rows; inside a transaction only once it commits), so refusals can prove "0 rows written". */
export interface CountingStore extends DataStore {
  upserts: number
  rowsWritten: number
  reset(): void
}

/** Wraps `inner` (a fresh memory store by default) and counts its writes. */
export function countingStore(inner: DataStore = memoryStore()): CountingStore {
  // rows written inside a transaction count only once it commits (a rolled-back restore wrote nothing);
  // the open transaction is tracked per async context, so a concurrent writer outside it counts at once
  const frames = new AsyncLocalStorage<{ rows: number; upserts: number }>()
  const count = (rows: number) => {
    const pending = frames.getStore()
    if (pending) {
      pending.rows += rows
      pending.upserts++
    } else {
      counting.rowsWritten += rows
      counting.upserts++
    }
  }
  const counting: CountingStore = {
    kind: inner.kind, upserts: 0, rowsWritten: 0,
    reset() { counting.upserts = 0; counting.rowsWritten = 0 },
    async collection(entity) {
      const c = await inner.collection(entity)
      const wrapped = withWriteCounts(c, count)
      if (c.transaction) {
        wrapped.transaction = async (fn) => {
          const outer = frames.getStore()
          const mine = { rows: 0, upserts: 0 }
          // a throw (rollback) drops `mine`
          const result = await frames.run(mine, () => c.transaction!(fn))
          if (outer) {
            outer.rows += mine.rows
            outer.upserts += mine.upserts
          } else {
            counting.rowsWritten += mine.rows
            counting.upserts += mine.upserts
          }
          return result
        }
      }
      return wrapped
    },
    ...(inner.close ? { close: () => inner.close!() } : {}),
  }
  return counting
}

/** The engine error's code (`BackupError`), or the error's own code, or `'NONE'` when nothing was thrown. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'NONE'
  } catch (error) {
    if (isBackupError(error)) return error.code
    return String((error as NodeJS.ErrnoException).code ?? (error as Error).name)
  }
}

// ---------------------------------------------------------------- figures

/** One published figure. */
export interface Figure {
  group: string
  line: string
}

/**
 * Prints a group's figure (`C2-8: 4000 flips: 0 accepted, 0 rows written`) and records it for the
 * summary the global teardown prints (file in `KOAN_FAULT_FIGURES`).
 */
export function figure(group: string, line: string): void {
  process.stdout.write(`[faults] ${group}: ${line}  (seed ${SEED})\n`)
  const file = process.env.KOAN_FAULT_FIGURES
  if (file) appendFileSync(file, `${JSON.stringify({ group, line } satisfies Figure)}\n`)
}

// ---------------------------------------------------------------- child processes (kill -9)

const distEngine = fileURLToPath(new URL('../../dist/runtime/engine/index.js', import.meta.url))
const distMemory = fileURLToPath(new URL('../../dist/runtime/adapters/data/memory.js', import.meta.url))
let bundled: Promise<string> | null = null

/** The codec fixture's registry bundled once to a file that child processes import (fast start). */
export function fixtureBundle(): Promise<string> {
  bundled ??= (async () => {
    if (!existsSync(distEngine)) throw new Error('dist/ is missing: run `npm run build` before `npm run test:faults`')
    const root = fixture('codec')
    const out = await build({
      stdin: { contents: `export { registry, codecs } from 'koan-backup/registry'\nexport * from './src/entities.ts'`, resolveDir: root, loader: 'ts' },
      bundle: true, write: false, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
      plugins: [koanBackup({ root, dts: false, report: false })],
    })
    const file = join(mkdtempSync(join(tmpdir(), 'kb-bundle-')), 'registry.mjs')
    writeFileSync(file, out.outputFiles[0]!.text)
    return file
  })()
  return bundled
}

/**
 * An ES module body for a child process: builds an engine over `root` in `mode` with `rows` rows in a
 * memory store, prints `ready`, runs `body` (which sees `backup`, `api`, `store`, `mode`, `m`), prints `done`.
 */
export async function childScript(root: string, mode: Mode, rows: number, body: string): Promise<string> {
  const registry = await fixtureBundle()
  return `
const m = await import(${JSON.stringify(registry)})
const { createBackup } = await import(${JSON.stringify(distEngine)})
const { memoryStore } = await import(${JSON.stringify(distMemory)})
const mode = ${JSON.stringify(mode)}
const store = memoryStore()
const codec = m.codecs[mode.fullName]
const c = await store.collection({ fullName: mode.fullName, name: mode.entity, fields: codec.fields, toStored: (x) => JSON.parse(codec.serialize(x)), fromStored: (s, r) => codec.deserialize(s, r) })
const fields = (i) => mode.entity === 'Media'
  ? { id: 'm' + i, title: 'title ' + i, description: 'desc "' + i + '" ' + 'd'.repeat(i % 40), views: i, rating: (i % 5) + 0.5, createdAt: new Date(1700000000000 + i * 1000), dimensions: { width: i, height: i * 2 }, tags: ['t' + (i % 3)] }
  : { id: 'a' + i, email: 'user' + i + '@example.com', balance: BigInt(i) * 10n ** 18n, openedAt: new Date(i * 1e6) }
const Cls = m[mode.entity]
const batch = []
for (let i = 0; i < ${rows}; i++) batch.push(Object.assign(new Cls(), fields(i)))
await c.upsert(batch)
const backup = createBackup({ registry: m.registry, codecs: m.codecs, classes: { [mode.fullName]: Cls }, config: { data: store, path: ${JSON.stringify(root)}, logger: false, encryption: ${JSON.stringify(KEYS)} } })
const api = backup.entity(mode.entity)
process.stdout.write('ready\\n')
${body}
process.stdout.write('done\\n')
`
}

/** How a child process ended. */
export interface ChildRun {
  stdout: string
  stderr: string
  signal: NodeJS.Signals | null
  code: number | null
  /** The parent sent SIGKILL (after `killAfterMs` from `ready`). */
  killed: boolean
}

/**
 * Runs an ES module in a child Node process. With `killAfterMs`, sends SIGKILL that many ms after the
 * child printed `ready` (so start-up time does not skew the kill point). `env` adds variables (e.g.
 * `KOAN_CRASHPOINT`). A hard `timeoutMs` (default 60 s) kills a hung child.
 */
export function runChild(script: string, options: { env?: Record<string, string>; killAfterMs?: number; timeoutMs?: number } = {}): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let killed = false
    const kill = () => { if (child.exitCode === null && child.signalCode === null) { killed = true; child.kill('SIGKILL') } }
    const hard = setTimeout(kill, options.timeoutMs ?? 60_000)
    let timer: NodeJS.Timeout | undefined
    child.stdout.on('data', (d: Buffer) => {
      const before = stdout
      stdout += d.toString()
      if (options.killAfterMs !== undefined && !before.includes('ready\n') && stdout.includes('ready\n')) timer = setTimeout(kill, options.killAfterMs)
    })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(hard)
      if (timer) clearTimeout(timer)
      resolvePromise({ stdout, stderr, code, signal, killed })
    })
  })
}
