import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BackupError, isBackupError } from '../errors.js'
import type { BackupEntry } from './catalog.js'
import type { EngineContext, EntityHandle } from './context.js'
import { hashFile, openDataText } from './data-file.js'
import { checkedRowBatches, fastRowBatches, generalRows, LayoutError, type RowAt } from './data-rows.js'
import { MAX_HEADER_LENGTH } from './crypto/format.js'
import { DATA_FILE, EntityPaths, VECTOR_FILE } from './layout.js'
import { readManifest } from './manifest.js'
import { RowChecker } from './row-checker.js'
import { FORMAT_VERSION, type BackupFileInfo, type BackupMetadata } from './metadata.js'

/** What verification established. */
export interface VerifyReport {
  entity: string
  timestamp: string
  rows: number
  files: number
  /** True when the rows were decoded and validated (`readData`): all of them, or the `sampled` share. */
  dataRead: boolean
  /** With `subset` below 100: the percentage asked for and how many rows were validated. */
  sampled?: { percent: number; rows: number }
}

function refuse(code: 'CORRUPT' | 'NOT_RESTORABLE', where: string, what: string, fix: string, details: Record<string, unknown> = {}): BackupError {
  return new BackupError(code, `${where}: ${what}; ${fix}`, details)
}

/** True when every file of a backup matches the size and SHA-256 its metadata gives. */
export async function filesMatch(ctx: EngineContext, fullName: string, entry: BackupEntry): Promise<boolean> {
  const m = entry.metadata
  if (!m || m.entity.fullName !== fullName || m.timestamp !== entry.timestamp || !m.files.some((f) => f.role === 'data')) return false
  const dir = new EntityPaths(ctx.root, fullName).backup(entry.timestamp)
  try {
    for (const f of m.files) await verifyFile(ctx, '', dir, f, '')
    return true
  } catch {
    return false
  }
}

/**
 * Checks the backup's structure and every file's size and SHA-256 (no row is decoded). With
 * `checkKeys` (restores), each encrypted file's key is checked from its header before the file is
 * read in full, so a wrong or missing key fails at once whatever the backup's size.
 */
export async function verifyStructure(ctx: EngineContext, h: EntityHandle, entry: BackupEntry, options: { checkKeys?: boolean } = {}): Promise<BackupMetadata> {
  const where = `${h.entity.fullName} backup ${entry.timestamp}`
  const fix = 'restore another backup (`koan-backup list`) or run `koan-backup verify` for details'
  const m = entry.metadata
  if (!m) throw refuse('CORRUPT', where, entry.problem ?? 'metadata.json cannot be read', fix, { file: 'metadata.json' })
  if (m.status !== 'Completed') throw refuse('NOT_RESTORABLE', where, `the backup is ${m.status}${m.errorMessage ? ` (${m.errorMessage.replace(/^\[koan-backup\] /, '')})` : ''}`, 'only Completed backups can be restored', { status: m.status })
  if (m.formatVersion !== FORMAT_VERSION) throw refuse('NOT_RESTORABLE', where, `unknown format version ${m.formatVersion} (this runtime reads ${FORMAT_VERSION})`, 'restore it with a koan-backup version that wrote it', { formatVersion: m.formatVersion })
  if (m.entity.fullName !== h.entity.fullName || m.timestamp !== entry.timestamp) {
    throw refuse('CORRUPT', where, `metadata.json describes ${m.entity.fullName} ${m.timestamp}, not this backup`, fix)
  }
  const manifest = await readManifest(ctx.fs, ctx.root)
  const listed = manifest?.backups.find((b) => b.entity === h.entity.fullName && b.timestamp === entry.timestamp)
  if (!listed) throw refuse('NOT_RESTORABLE', where, manifest ? 'the backup is not in manifest.json' : 'manifest.json is missing or unreadable', 'a backup the manifest does not vouch for is not restored; check the backup folder')
  if (listed.metadataSha256 !== entry.metadataSha256) throw refuse('CORRUPT', where, 'metadata.json does not match its checksum in manifest.json', fix, { file: 'metadata.json' })
  if (!m.files.some((f) => f.role === 'data')) throw refuse('CORRUPT', where, 'metadata.json lists no data file', fix)
  // the entity's policy, not the (plaintext) metadata, decides whether a file must be encrypted
  if (h.entity.policy?.encrypt && m.files.some((f) => !f.encrypted)) {
    throw refuse('NOT_RESTORABLE', where, 'the entity requires encryption but this backup holds unencrypted files', 'restore a backup taken with encryption; an unencrypted file here may have been substituted')
  }
  const dir = new EntityPaths(ctx.root, h.entity.fullName).backup(entry.timestamp)
  for (const f of m.files) {
    await verifyFile(ctx, where, dir, f, fix, options.checkKeys && f.encrypted ? { entity: h.entity.fullName, timestamp: entry.timestamp, role: f.role } : undefined)
  }
  return m
}

const KEY_ERRORS = new Set(['WRONG_KEY', 'MISSING_KEY', 'BAD_KEY'])

/** Runs the file's header (only) through the decryptor: a key error surfaces; anything else is left to the full checks. */
async function checkKey(ctx: EngineContext, path: string, binding: { entity: string; timestamp: string; role: string }): Promise<void> {
  const handle = await ctx.fs.open(path, 'r')
  let head: Buffer
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(MAX_HEADER_LENGTH), 0, MAX_HEADER_LENGTH, 0)
    head = buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
  try {
    await pipeline(Readable.from([head]), ctx.encryption.decrypt(binding), async (source: AsyncIterable<Buffer>) => {
      for await (const _ of source) { /* discard */ }
    })
  } catch (error) {
    // the header alone reads as a truncated file: that, and any damage, is for the checksum to report
    if (isBackupError(error) && KEY_ERRORS.has(error.code)) throw error
  }
}

async function verifyFile(ctx: EngineContext, where: string, dir: string, f: BackupFileInfo, fix: string, keyBinding?: { entity: string; timestamp: string; role: string }): Promise<void> {
  // names come from metadata, which is checksummed; still, only known names are ever opened
  if (f.role === 'data' ? !DATA_FILE.test(f.name) : !VECTOR_FILE.test(f.name)) throw refuse('CORRUPT', where, `metadata.json names an unexpected file ${JSON.stringify(f.name)}`, fix)
  const path = join(dir, f.name)
  let st
  try {
    st = await ctx.fs.lstat(path)
  } catch {
    throw refuse('CORRUPT', where, `${f.name} is missing`, fix, { file: f.name })
  }
  if (!st.isFile()) throw refuse('CORRUPT', where, `${f.name} is not a regular file (links are never followed)`, fix, { file: f.name })
  if (st.size !== f.size) throw refuse('CORRUPT', where, `${f.name} has ${st.size} bytes, metadata says ${f.size} (truncated or appended)`, fix, { file: f.name })
  if (keyBinding) await checkKey(ctx, path, keyBinding)
  const actual = await hashFile(ctx.fs, path)
  if (actual.sha256 !== f.sha256) throw refuse('CORRUPT', where, `${f.name} failed its checksum (SHA-256 differs from metadata.json)`, fix, { file: f.name })
}

/** The decoded rows of a verified backup's data file, one by one (see `backupRowBatches`). */
export async function* backupRows(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, onBytes?: (n: number) => void): AsyncGenerator<RowAt> {
  for await (const rows of backupRowBatches(ctx, h, m, onBytes)) yield* rows
}

/** Rows the general parser gives, in arrays of this many (the fallback is not the fast path, but keeps its shape). */
const GENERAL_BATCH = 256

/** Row workers per read at most (beyond that, the main thread's share of the work is what takes the time). */
const MAX_ROW_WORKERS = 3

/**
 * Workers checking the rows of backup `m` while the caller works on earlier ones, when the backup has
 * at least `rowWorkerMinRows` rows and a worker can start; else `null`. The caller closes it.
 */
export function startRowChecker(ctx: EngineContext, h: EntityHandle, m: BackupMetadata): RowChecker | null {
  if (m.counts.rows < ctx.rowWorkerMinRows) return null
  const onError = (error: Error) => ctx.logger.warn(`[koan-backup] ${h.entity.fullName}: a row worker failed (${error.message}); its rows are checked on the main thread (set \`rowWorkerMinRows: false\` to not start workers)`)
  // one core stays with the main thread (which reads, writes and checks what no worker vouched for)
  return RowChecker.start(h.codec, onError, Math.max(1, Math.min(MAX_ROW_WORKERS, availableParallelism() - 1)))
}

/**
 * The decoded rows of a verified backup's data file, in arrays (fast line reader, general parser as
 * fallback). `onBytes` sees the stored bytes read, each byte once even when the fallback reads the
 * file again. With a `checker`, rows it vouches for come unparsed, with their `checkedId` (see
 * `checkedRowBatches`): only for callers that need no parsed value of a canonical row.
 */
export async function* backupRowBatches(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, onBytes?: (n: number) => void, checker?: RowChecker | null): AsyncGenerator<RowAt[]> {
  const file = m.files.find((f) => f.role === 'data')!
  const path = join(new EntityPaths(ctx.root, h.entity.fullName).backup(m.timestamp), file.name)
  const binding = { entity: h.entity.fullName, timestamp: m.timestamp, role: 'data' }
  let reported = 0
  const open = () => {
    let seen = 0
    const tap = onBytes && ((n: number) => {
      seen += n
      if (seen > reported) {
        onBytes(seen - reported)
        reported = seen
      }
    })
    return openDataText(ctx.fs, path, { compress: file.compressed, decrypt: file.encrypted ? () => ctx.encryption.decrypt(binding) : undefined, ...(tap ? { onBytes: tap } : {}) })
  }
  let yielded = 0
  let layout: LayoutError
  try {
    for await (const rows of checker ? checkedRowBatches(open(), checker) : fastRowBatches(open())) {
      yielded += rows.length
      yield rows
    }
    return
  } catch (error) {
    if (!(error instanceof LayoutError)) throw wrapRead(error, h, m, file)
    layout = error
  }
  // not the one-row-per-line layout (edited by hand?): read it as any JSON array, from the start,
  // skipping the rows already given (they are the same rows of the same file)
  try {
    let rows: RowAt[] = []
    for await (const row of generalRows(open())) {
      if (row.index < yielded) continue
      rows.push(row)
      if (rows.length === GENERAL_BATCH) {
        yield rows
        rows = []
      }
    }
    if (rows.length > 0) yield rows
  } catch (error) {
    // the line reader knows where the first bad line is; the general parser only that it failed
    throw wrapRead(isBackupError(error) && error.code === 'CORRUPT' ? layout : error, h, m, file)
  }
}

function wrapRead(error: unknown, h: EntityHandle, m: BackupMetadata, file: BackupFileInfo): unknown {
  if (error instanceof LayoutError) {
    return new BackupError('CORRUPT', `${h.entity.fullName} backup ${m.timestamp}: ${file.name} ${error.message}`, { file: file.name, ...error.details })
  }
  if (error instanceof Error && error.name === 'BackupError') return error
  const code = (error as NodeJS.ErrnoException).code
  const what = code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' ? `gzip: ${(error as Error).message}` : (error as Error).message
  return new BackupError('CORRUPT', `${h.entity.fullName} backup ${m.timestamp}: ${file.name} cannot be read (${what})`, { file: file.name }, { cause: error })
}

/** 52-bit hash of an id (two FNV-1a variants), for duplicate detection in constant memory per row. */
export function idHash(id: string | number): number {
  const s = typeof id === 'number' ? `n:${id}` : `s:${id}`
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15)
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) >>> 12)
}

/**
 * A deterministic row sample of about `percent` % by a hash of each row's id (the same rows every
 * run, spread over the whole file); a row without a usable id is always picked, so it gets refused.
 */
export function rowSample(percent: number): (row: RowAt) => boolean {
  if (percent >= 100) return () => true
  const limit = Math.round(percent * 100)
  return (row) => {
    const id = row.checkedId ?? (row.value as { id?: unknown } | null)?.id
    if (typeof id !== 'string' && typeof id !== 'number') return true
    return idHash(id) % 10_000 < limit
  }
}

/** Collects id hashes in a growable typed array; `duplicates()` finds repeated hashes after sorting. */
export class IdSet {
  private values = new Float64Array(1024)
  private size = 0
  add(id: string | number): void {
    if (this.size === this.values.length) {
      const next = new Float64Array(this.values.length * 2)
      next.set(this.values)
      this.values = next
    }
    this.values[this.size++] = idHash(id)
  }
  /** Hashes seen more than once (candidates: confirm against the ids themselves). */
  duplicates(): Set<number> {
    const sorted = this.values.subarray(0, this.size).sort()
    const out = new Set<number>()
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) out.add(sorted[i]!)
    return out
  }
}
