/**
 * Helpers of the C3–C5 fault groups (encryption and keys; row-level input and restore semantics;
 * concurrency, locks, retention): rewriting a backup's data in any of the four modes as a buggy
 * writer holding the key would, stores without transactions, byte-level greps and RSS sampling.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Collection, DataStore, EntityDescriptor } from '../../runtime/adapters/data/types.js'
import { decryptStream, encryptStream, resolveKeyRing } from '../../runtime/engine/crypto.js'
import { backupFiles, rewriteMetadata } from '../engine/tamper.js'
import { KEYS, withWriteCounts, type Mode } from './harness.js'

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c)
  return Buffer.concat(parts)
}

/** The key ring every mode's backups are written with. */
export function modeRing() {
  return resolveKeyRing(KEYS, {})
}

/** Decrypts (with the modes' key) and gunzips a stored data or vectors file: its plaintext. */
export async function decodeStored(stored: Buffer, binding: { entity: string; timestamp: string; role: string }, encrypted: boolean, compressed: boolean): Promise<Buffer> {
  let bytes = stored
  if (encrypted) bytes = await collect(Readable.from([bytes]).pipe(decryptStream({ keys: modeRing(), aad: binding })))
  return compressed ? gunzipSync(bytes) : bytes
}

/** The reverse of {@link decodeStored}. */
export async function encodeStored(plain: Buffer, binding: { entity: string; timestamp: string; role: string }, encrypted: boolean, compressed: boolean): Promise<Buffer> {
  let bytes = compressed ? gzipSync(plain) : plain
  if (encrypted) bytes = await collect(Readable.from([bytes]).pipe(encryptStream({ key: modeRing(), aad: binding })))
  return bytes
}

/** The decoded text of a backup's data file, in any mode. */
export async function dataText(root: string, mode: Mode, ts: string): Promise<string> {
  const f = backupFiles(root, mode.fullName, ts)
  return (await decodeStored(readFileSync(f.dataFile), { entity: mode.fullName, timestamp: ts, role: 'data' }, mode.encrypted, f.compressed)).toString('utf8')
}

/**
 * Rewrites a backup's decoded data text in any mode (decrypt, gunzip, change, gzip, encrypt with the
 * same key and binding) and re-vouches for it: size and SHA-256 in metadata, the metadata hash in the
 * manifest and the pointer. Only checks deeper than checksums and the cipher can then catch the change.
 */
export async function rewriteModeData(root: string, mode: Mode, ts: string, change: (text: string) => string, rows?: number): Promise<void> {
  const f = backupFiles(root, mode.fullName, ts)
  const binding = { entity: mode.fullName, timestamp: ts, role: 'data' }
  const text = change(await dataText(root, mode, ts))
  const out = await encodeStored(Buffer.from(text, 'utf8'), binding, mode.encrypted, f.compressed)
  writeFileSync(f.dataFile, out)
  revouch(root, mode.fullName, ts, 'data', out, rows)
}

/** After a file of a backup changed on disk: its size and SHA-256 in metadata, then the metadata hash everywhere. */
export function revouch(root: string, entity: string, ts: string, role: string, bytes: Buffer, rows?: number): void {
  rewriteMetadata(root, entity, ts, (m) => {
    const file = m.files.find((x: { role: string }) => x.role === role)
    m.sizeBytes += bytes.length - file.size
    file.size = bytes.length
    file.sha256 = sha(bytes)
    if (rows !== undefined) m.counts.rows = rows
  })
}

/** A store whose collections have no `transaction()`: the engine must validate everything before its first write. */
export function withoutTransactions(inner: DataStore): DataStore {
  return {
    kind: `${inner.kind}-no-tx`,
    async collection(entity: EntityDescriptor) {
      const c = await inner.collection(entity)
      const wrapped: Collection = Object.create(c)
      Object.defineProperty(wrapped, 'transaction', { value: undefined })
      Object.defineProperty(wrapped, 'capabilities', { value: { ...c.capabilities, transactions: false } })
      return wrapped
    },
  }
}

/** SHA-256 of every row's stored form, by id (to prove that no existing row changed). */
export async function rowHashes(store: DataStore, descriptor: EntityDescriptor): Promise<Map<unknown, string>> {
  const out = new Map<unknown, string>()
  for await (const row of (await store.collection(descriptor)).stream()) out.set((row as { id: unknown }).id, sha(JSON.stringify(descriptor.toStored(row))))
  return out
}

/** Files under `dir` (recursively) whose bytes contain `needle`. */
export function grepTree(dir: string, needle: string | Buffer): string[] {
  const hits: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile() && readFileSync(p).includes(needle)) hits.push(p)
    }
  }
  walk(dir)
  return hits
}

/** The p-th quantile (0..1) of `values`. */
export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

/** Runs `fn` while sampling RSS every 2 ms; returns its result (or error) and the peak RSS above the start, in MB. */
export async function peakRss<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; peakMb: number; ms: number }> {
  globalThis.gc?.()
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 2)
  const started = performance.now()
  try {
    const value = await fn()
    return { value, peakMb: (Math.max(peak, process.memoryUsage.rss()) - base) / 1048576, ms: performance.now() - started }
  } catch (error) {
    return { error, peakMb: (Math.max(peak, process.memoryUsage.rss()) - base) / 1048576, ms: performance.now() - started }
  } finally {
    clearInterval(timer)
  }
}

/** The failure code and message of an engine call that was expected to fail (the first entity's). */
export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p
  } catch (error) {
    const e = error as { code?: string; message: string; cause?: { details?: unknown }; details?: { failures?: Array<{ code?: string; message: string }> } }
    const first = e.details?.failures?.[0]
    // the aggregate error's cause is the first entity's own error, with its details (row, offset, …)
    const details = (first ? e.cause?.details : e.details) ?? {}
    return { code: first?.code ?? e.code ?? 'UNKNOWN', message: first?.message ?? e.message, details: details as Record<string, unknown> }
  }
  return { code: 'NONE', message: '', details: {} }
}

/** A store wrapper counting every write, through `upsert`, `upsertStored`, `insertNewStored`, `upsertTexts` and `insertNewTexts` (the restore's direct paths). */
export interface WriteCounting extends DataStore {
  writes: number
  rowsWritten: number
}

/** Counts the writes of `inner` (every collection it hands out). */
export function countWrites(inner: DataStore): WriteCounting {
  const counting: WriteCounting = {
    kind: inner.kind, writes: 0, rowsWritten: 0,
    async collection(entity: EntityDescriptor) {
      const c = await inner.collection(entity)
      return withWriteCounts(c, (rows) => {
        counting.writes++
        counting.rowsWritten += rows
      })
    },
  }
  return counting
}
