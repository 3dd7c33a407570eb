/**
 * C2 helpers: a root with two good backups (A older, B latest) of a mode, and a restore attempt
 * into a store that counts writes, classified as refused (with its code) or accepted.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { isBackupError } from '../../runtime/errors.js'
import { rowsHash } from './c1-support.js'
import { countingStore, modeEngine, tempDir, type Mode } from './harness.js'

/** Rows per backup: over two 64 KiB chunks in every mode. */
export const ROWS = 2000

/** Two Completed backups of `mode` (B has 10 rows more); Media modes also back up vectors. */
export async function twoBackups(mode: Mode, options: { vectors?: boolean; rows?: number } = {}) {
  const rows = options.rows ?? ROWS
  const root = tempDir('c2')
  const vectors = options.vectors ? memoryVectorStore() : undefined
  const e = await modeEngine(mode, { path: root, ...(vectors ? { config: { vectors } } : {}) })
  await e.seed(rows)
  if (vectors) {
    const vc = await vectors.collection({ fullName: mode.fullName, name: mode.entity }, { dimension: 8, metric: 'cosine' })
    await vc.upsert(Array.from({ length: rows + 10 }, (_, i) => ({ id: `m${i}`, vector: Float32Array.from({ length: 8 }, (_, k) => Math.cos(i * 8 + k)) })))
  }
  const a = await e.create()
  await e.seed(10, rows)
  const b = await e.create()
  const dir = (ts: string) => join(root, mode.fullName, ts)
  const metadata = (ts: string) => JSON.parse(readFileSync(join(dir(ts), 'metadata.json'), 'utf8'))
  const dataFile = (ts: string) => join(dir(ts), metadata(ts).files.find((f: { role: string }) => f.role === 'data').name)
  return { root, a, b, dir, metadata, dataFile, hashB: rowsHash(await e.rows()), vectors }
}

/** The outcome of one restore attempt. */
export interface Attempt {
  accepted: boolean
  code: string
  message: string
  rowsWritten: number
  timestamp?: string
  hash?: string
  warnings: string[]
}

/** Restores `timestamp` (default latest) of `mode` from `root` into an empty counting store. */
export async function attempt(mode: Mode, root: string, timestamp = 'latest', options: { vectors?: boolean } = {}): Promise<Attempt> {
  const store = countingStore()
  const vectors = options.vectors ? memoryVectorStore() : undefined
  const e = await modeEngine(mode, { path: root, store, ...(vectors ? { config: { vectors } } : {}) })
  try {
    const r = await e.api.restore({ timestamp })
    return { accepted: true, code: 'NONE', message: '', rowsWritten: store.rowsWritten, timestamp: r.timestamp, hash: rowsHash(await e.rows()), warnings: e.warnings }
  } catch (error) {
    const inner = isBackupError(error) ? ((error.details as { failures?: Array<{ code?: string }> }).failures?.[0]?.code ?? error.code) : 'THROWN'
    return { accepted: false, code: inner, message: (error as Error).message, rowsWritten: store.rowsWritten, warnings: e.warnings }
  }
}

/** Flips bit `bit` of byte `at` in `file`; returns a function that undoes it. */
export function flip(file: string, at: number, bit: number): () => void {
  const original = readFileSync(file)
  const b = Buffer.from(original)
  b[at] = b[at]! ^ (1 << bit)
  writeFileSync(file, b)
  return () => writeFileSync(file, original)
}
