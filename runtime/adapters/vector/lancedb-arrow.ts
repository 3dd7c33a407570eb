import { createHash } from 'node:crypto'
import type * as Arrow from 'apache-arrow'
import { idKey } from './ids.js'
import type { VectorMetric, VectorRecord } from './types.js'

/** Schema metadata keys of a koan-backup vector table. */
export const lanceMeta = {
  entity: 'koan-backup.entity',
  metric: 'koan-backup.metric',
  /** How ids are stored (`typed-key-1`: see `idKey`). */
  ids: 'koan-backup.ids',
} as const

/**
 * The table of an entity: its full name when LanceDB accepts it as it is (letters, digits, `_`,
 * `-`, `.`, at most 128 characters), otherwise those characters of it and a hash of the full name
 * (`src.ünï.Media` → `src.__n__.Media-1f2e3d4c5b6a`), so different names stay different.
 */
export function lanceTableName(fullName: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(fullName)) return fullName
  const hash = createHash('sha256').update(fullName).digest('hex').slice(0, 12)
  return `${fullName.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 100)}-${hash}`
}

/** The schema of a new vector table: `id` (the typed id key) and `vector` (float32 × dimension). */
export function lanceSchema(arrow: typeof Arrow, fullName: string, dimension: number, metric: VectorMetric): Arrow.Schema {
  const vector = new arrow.FixedSizeList(dimension, new arrow.Field('item', new arrow.Float32(), true))
  const metadata = new Map([[lanceMeta.entity, fullName], [lanceMeta.metric, metric], [lanceMeta.ids, 'typed-key-1']])
  return new arrow.Schema([new arrow.Field('id', new arrow.Utf8(), false), new arrow.Field('vector', vector, false)], metadata)
}

/** Dimension and metric of an existing table, or why it is not a vector table of `fullName`. */
export function readLanceSchema(schema: Arrow.Schema, fullName: string): { dimension: number; metric: VectorMetric } | string {
  const id = schema.fields.find((f) => f.name === 'id')
  const vector = schema.fields.find((f) => f.name === 'vector')
  const type = vector?.type as Arrow.FixedSizeList | undefined
  if (!id || String(id.type) !== 'Utf8' || !type || typeof type.listSize !== 'number' || String(type.children[0]?.type) !== 'Float32') {
    return 'it has no `id` (Utf8) and `vector` (fixed-size list of Float32) columns'
  }
  const entity = schema.metadata.get(lanceMeta.entity)
  if (entity !== undefined && entity !== fullName) return `it holds the vectors of ${entity}`
  if (schema.metadata.get(lanceMeta.ids) !== 'typed-key-1') return 'its ids are not stored as koan-backup id keys'
  const metric = schema.metadata.get(lanceMeta.metric) as VectorMetric | undefined
  if (metric !== 'cosine' && metric !== 'l2' && metric !== 'dot') return 'its schema metadata names no metric'
  return { dimension: type.listSize, metric }
}

/** A batch of checked records as an Arrow table of `schema` (vectors copied into one buffer). */
export function lanceBatch(arrow: typeof Arrow, schema: Arrow.Schema, records: readonly VectorRecord[], dimension: number): Arrow.Table {
  const values = new Float32Array(records.length * dimension)
  records.forEach((r, i) => values.set(r.vector, i * dimension))
  const ids = arrow.vectorFromArray(records.map((r) => idKey(r.id)), new arrow.Utf8())
  const child = arrow.makeData({ type: new arrow.Float32(), length: values.length, data: values })
  const vectors = arrow.makeData({ type: schema.fields[1]!.type as Arrow.FixedSizeList<Arrow.Float32>, length: records.length, nullCount: 0, child })
  const rows = arrow.makeData({ type: new arrow.Struct(schema.fields), length: records.length, nullCount: 0, children: [ids.data[0]!, vectors] })
  return new arrow.Table([new arrow.RecordBatch(schema, rows)])
}

/** The `[key, vector]` rows of a query result (vectors copied out of Arrow's buffers). */
export function* lanceRows(table: Arrow.Table, dimension: number): Generator<[string, Float32Array]> {
  for (const batch of table.batches) {
    const ids = batch.getChild('id')!
    const vectors = batch.getChild('vector')!.data[0]!
    const child = vectors.children[0]!
    const values = child.values as Float32Array
    for (let i = 0; i < batch.numRows; i++) {
      const start = child.offset + (vectors.offset + i) * dimension
      yield [ids.get(i) as string, values.slice(start, start + dimension)]
    }
  }
}

/** A string literal of LanceDB's SQL filters (quotes doubled; backslashes are not escapes). */
export function lanceLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}
