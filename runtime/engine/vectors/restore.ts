import { compareIds } from '../../adapters/data/ids.js'
import type { EntityId } from '../../adapters/data/types.js'
import type { VectorCollection } from '../../adapters/vector/types.js'
import { BackupError } from '../../errors.js'
import type { EngineContext, EntityHandle } from '../context.js'
import { EntityPaths } from '../layout.js'
import type { BackupFileInfo, BackupMetadata } from '../metadata.js'
import { openBytes } from '../data-file.js'
import { backupRows } from '../verify.js'
import { decodeVectors, type VectorFileHeader, type VectorFileRecord } from './format.js'
import { textHash, VectorWriter } from './io.js'

/** What a vector restore does (or, in a dry run, would do). */
export interface VectorRestoreReport {
  model: string
  /** Stored vectors whose entity's rebuilt text has the same hash: reused as they are. */
  reused: number
  /** Entities whose text changed since the backup. */
  changed: number
  /** Entities with no stored vector. */
  missing: number
  /** Vectors computed by the configured embedder. */
  embedded: number
  /** Entities left without a vector (no embedder configured). */
  unembedded: number
}

type Plan = { header: VectorFileHeader; file: BackupFileInfo; target: VectorCollection }

function records(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, file: BackupFileInfo): AsyncGenerator<VectorFileHeader | VectorFileRecord> {
  const path = `${new EntityPaths(ctx.root, h.entity.fullName).backup(m.timestamp)}/${file.name}`
  const binding = { entity: h.entity.fullName, timestamp: m.timestamp, role: file.role }
  return decodeVectors(openBytes(ctx.fs, path, { compress: file.compressed, decrypt: file.encrypted ? () => ctx.encryption.decrypt(binding) : undefined }), `${h.entity.fullName} backup ${m.timestamp}: ${file.name}`)
}

/** Joins the backup's rows (id order) with its vector records (id order): each row with its stored vector, if any. */
async function* joined(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, file: BackupFileInfo): AsyncGenerator<{ id: EntityId; hash: Buffer; stored: VectorFileRecord | null }> {
  const vs = records(ctx, h, m, file)
  await vs.next()
  let next = await vs.next()
  let last: EntityId | undefined
  for await (const { value, index } of backupRows(ctx, h, m)) {
    const entity = h.codec.deserialize(value, index) as { id: EntityId }
    if (last !== undefined && compareIds(last, entity.id) >= 0) {
      throw new BackupError('CORRUPT', `${h.entity.fullName} backup ${m.timestamp}: rows are not in id order at row ${index}; vectors cannot be matched`, { row: index })
    }
    last = entity.id
    while (!next.done && compareIds((next.value as VectorFileRecord).id, entity.id) < 0) next = await vs.next()
    const stored = !next.done && compareIds((next.value as VectorFileRecord).id, entity.id) === 0 ? (next.value as VectorFileRecord) : null
    yield { id: entity.id, hash: textHash(h.codec.embeddingText!(entity)), stored }
  }
}

/**
 * Checks the vectors before any write: the file decodes (finite values, the recorded dimension, ids
 * in order, the recorded count), the model is the entity's current one, and the target collection
 * has the same dimension and metric. Then counts what would be reused and what needs embedding;
 * under `strict`, without an embedder, anything not reusable is refused here.
 */
export async function planVectors(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, strict: boolean): Promise<{ plan: Plan; report: VectorRestoreReport } | null> {
  const file = m.files.find((f) => f.role.startsWith('vectors/'))
  const recipe = h.entity.embedding
  if (!file || !recipe || !ctx.vectors) return null
  const where = `${h.entity.fullName} backup ${m.timestamp}`
  let header: VectorFileHeader | null = null
  let count = 0
  let last: EntityId | undefined
  for await (const item of records(ctx, h, m, file)) {
    if (!header) {
      header = item as VectorFileHeader
      continue
    }
    const r = item as VectorFileRecord
    if (r.vector.length !== header.dimension) throw new BackupError('CORRUPT', `${where}: vector of id ${JSON.stringify(r.id)} has ${r.vector.length} dimensions, expected ${header.dimension}`)
    if (last !== undefined && compareIds(last, r.id) >= 0) throw new BackupError('CORRUPT', `${where}: vector records are not in id order at id ${JSON.stringify(r.id)}`)
    last = r.id
    count++
  }
  if (!header) throw new BackupError('CORRUPT', `${where}: the vector file has no header`)
  if (count !== m.counts.vectors) throw new BackupError('CORRUPT', `${where}: ${count} vectors read, metadata says ${m.counts.vectors}`)
  if (header.model !== recipe.model) {
    throw new BackupError('DATA_CONFLICT', `${where}: the vectors were embedded with ${header.model}, the entity now uses ${recipe.model}; restore with restoreVectors: false and re-embed, or restore into a build with the same model`, { model: header.model })
  }
  const target = await h.vectorCollection({ dimension: header.dimension, metric: header.metric ?? 'cosine' })
  if (!target) return null
  if (target.dimension !== null && target.dimension !== header.dimension) {
    throw new BackupError('DATA_CONFLICT', `${where}: the vectors have ${header.dimension} dimensions, the target vector store's collection has ${target.dimension}; nothing was written`, { dimension: header.dimension, target: target.dimension })
  }
  if (header.metric && target.metric && header.metric !== target.metric) {
    throw new BackupError('DATA_CONFLICT', `${where}: the vectors were compared by ${header.metric}, the target collection uses ${target.metric}; nothing was written`, { metric: header.metric })
  }
  const report: VectorRestoreReport = { model: header.model, reused: 0, changed: 0, missing: 0, embedded: 0, unembedded: 0 }
  for await (const row of joined(ctx, h, m, file)) {
    if (!row.stored) report.missing++
    else if (row.stored.hash.equals(row.hash)) report.reused++
    else report.changed++
  }
  // this pass is the only one before the first write in a store without transactions: the count too
  const rows = report.reused + report.changed + report.missing
  if (rows !== m.counts.rows) throw new BackupError('CORRUPT', `${where}: ${rows} rows read, metadata says ${m.counts.rows}`, { rows, expected: m.counts.rows })
  if (strict && !ctx.embedder && report.changed + report.missing > 0) {
    throw new BackupError('DATA_CONFLICT', `${where}: ${report.changed} entities changed their text and ${report.missing} have no stored vector, and no embedder is configured; strict restores refuse this before writing`, { changed: report.changed, missing: report.missing })
  }
  return { plan: { header, file, target }, report }
}

/** Writes the vectors of the rows the data restore wrote (reused ones as stored, others embedded when possible). */
export async function applyVectors(ctx: EngineContext, h: EntityHandle, m: BackupMetadata, plan: Plan, report: VectorRestoreReport, skipped: Set<EntityId>): Promise<number> {
  const writer = new VectorWriter(plan.target)
  let pending: Array<{ id: EntityId; text: string }> = []
  const embed = async () => {
    if (!pending.length || !ctx.embedder) return
    const vectors = await ctx.embedder(pending.map((p) => p.text), plan.header.model)
    for (let i = 0; i < pending.length; i++) await writer.add({ id: pending[i]!.id, vector: Float32Array.from(vectors[i]!) })
    report.embedded += pending.length
    pending = []
  }
  for await (const row of joined(ctx, h, m, plan.file)) {
    if (skipped.has(row.id)) continue
    if (row.stored && row.stored.hash.equals(row.hash)) {
      await writer.add({ id: row.id, vector: row.stored.vector })
      continue
    }
    if (!ctx.embedder) {
      report.unembedded++
      continue
    }
    pending.push({ id: row.id, text: '' })
  }
  // texts are rebuilt in a second pass only for the rows that need embedding (rare): constant memory otherwise
  if (pending.length) {
    const need = new Set(pending.map((p) => p.id))
    pending = []
    for await (const { value, index } of backupRows(ctx, h, m)) {
      const entity = h.codec.deserialize(value, index) as { id: EntityId }
      if (!need.has(entity.id)) continue
      pending.push({ id: entity.id, text: h.codec.embeddingText!(entity) })
      if (pending.length >= 256) await embed()
    }
    await embed()
  }
  await writer.flush()
  return writer.written
}
