import { BackupError } from '../../errors.js'
import type { FieldInfo, FieldType } from '../../types.js'
import type { EntityDescriptor, EntityId } from './types.js'

/**
 * How a top-level stored field is kept in a SQL column: `text` (strings, string enums and literals,
 * ISO dates, base64 bytes), `number`, `boolean` (written as 1/0), `bigint` (the decimal string) or
 * `json` (the JSON text of the stored value: arrays, objects, maps, unions, `unknown`…).
 */
export type ColumnKind = 'text' | 'number' | 'boolean' | 'bigint' | 'json'

/** One column of an entity's table. */
export interface Column {
  /** The stored field's name, also the column's name. */
  name: string
  kind: ColumnKind
  /** What SQL NULL reads back as: `null`, or the key left out (optional, not nullable). */
  nullIs: 'null' | 'absent'
}

/**
 * The column kind of a field. A field both optional and nullable is kept as JSON, so that "absent"
 * (SQL NULL) and `null` (the JSON text `null`) stay apart.
 */
export function columnKind(field: FieldInfo): ColumnKind {
  if (field.optional && field.nullable) return 'json'
  return kindOf(field.type)
}

function kindOf(type: FieldType): ColumnKind {
  switch (type.kind) {
    case 'string': case 'date': case 'bytes': return 'text'
    case 'number': return 'number'
    case 'boolean': return 'boolean'
    case 'bigint': return 'bigint'
    case 'literal': case 'enum': {
      // a column holds one scalar type; mixed value lists keep their type in JSON
      if (type.values.every((v) => typeof v === 'string')) return 'text'
      if (type.values.every((v) => typeof v === 'number')) return 'number'
      if (type.values.every((v) => typeof v === 'boolean')) return 'boolean'
      return 'json'
    }
    default: return 'json'
  }
}

const EXPECTED: Record<Exclude<ColumnKind, 'json'>, string> = { text: 'string', number: 'number', boolean: 'boolean', bigint: 'string' }

/** Rules of the store's text type that are checked before writing, so the error names the row. */
export interface TextRules {
  /** The store's name, for messages. */
  store: string
  /** PostgreSQL text cannot hold U+0000. */
  rejectNul?: boolean
  /** Nor can PostgreSQL jsonb (the `\u0000` escape). */
  jsonRejectsNul?: boolean
}

// a `\u0000` escape: preceded by an even number of backslashes (an odd one would escape the `\`)
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/

/** The table layout of an entity: columns in declared field order, converting stored objects to rows and back. */
export class TableModel {
  readonly columns: Column[]
  /** Index of the `id` column. */
  readonly idIndex: number

  constructor(readonly entity: EntityDescriptor, private rules: TextRules) {
    this.columns = entity.fields.map((f) => ({ name: f.name, kind: columnKind(f), nullIs: f.optional && !f.nullable ? 'absent' : 'null' }))
    this.idIndex = this.columns.findIndex((c) => c.name === 'id')
    if (this.idIndex < 0) {
      throw new BackupError('STORE_FAILED', `${entity.fullName} has no \`id\` field; a ${rules.store} store keeps rows by id, so give the entity a string or number \`id\``, { entity: entity.fullName })
    }
  }

  /** The `id` column. */
  get id(): Column {
    return this.columns[this.idIndex]!
  }

  /** The cells of an entity, in column order (checked against the column kinds and the store's text rules). */
  toRow(entity: unknown): unknown[] {
    return this.cellsOf(this.entity.toStored(entity))
  }

  /** The cells of a row given in its stored form, in column order. */
  cellsOf(stored: Record<string, unknown>): unknown[] {
    return this.columns.map((c) => this.cell(c, stored[c.name], stored))
  }

  /** The stored object of a row (cells in column order): what `fromStored` takes. */
  toStored(row: readonly unknown[]): Record<string, unknown> {
    const stored: Record<string, unknown> = {}
    this.columns.forEach((c, i) => {
      const cell = row[i]
      if (cell === null || cell === undefined) {
        if (c.kind !== 'json' && c.nullIs === 'null') put(stored, c.name, null)
        return
      }
      put(stored, c.name, c.kind === 'json' ? JSON.parse(cell as string) : c.kind === 'boolean' ? cell === 1 || cell === true || cell === '1' : cell)
    })
    return stored
  }

  /** The cell of an id, for lookups. */
  idCell(id: EntityId): unknown {
    return this.id.kind === 'json' ? JSON.stringify(id) : id
  }

  /** The id of a row's id cell. */
  idOf(cell: unknown): EntityId {
    return (this.id.kind === 'json' ? JSON.parse(cell as string) : cell) as EntityId
  }

  private cell(c: Column, value: unknown, stored: Record<string, unknown>): unknown {
    if (value === undefined) return null
    if (c.kind === 'json') {
      const text = JSON.stringify(value)
      if (this.rules.jsonRejectsNul && text.includes('\\u0000') && NUL_ESCAPE.test(text)) this.refuse(stored, c, `contains U+0000 in a string, which ${this.rules.store} jsonb cannot hold (a \`json\` column can)`)
      return text
    }
    if (value === null) return null
    if (typeof value !== EXPECTED[c.kind]) this.refuse(stored, c, `holds ${typeof value} ${String(value).slice(0, 40)} but its column holds ${c.kind}`)
    if (c.kind === 'boolean') return value ? 1 : 0
    if (c.kind === 'text') this.checkText(stored, c, value as string)
    return value
  }

  private checkText(stored: Record<string, unknown>, c: Column, s: string): void {
    // lone surrogates would be replaced by U+FFFD on the way to UTF-8: refuse rather than change data
    if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) this.refuse(stored, c, `contains a lone surrogate, which ${this.rules.store} text (UTF-8) cannot hold`)
    if (this.rules.rejectNul && s.includes('\u0000')) this.refuse(stored, c, `contains U+0000, which ${this.rules.store} text cannot hold`)
  }

  private refuse(stored: Record<string, unknown>, c: Column, problem: string): never {
    throw new BackupError('ROW_UNSERIALIZABLE', `cannot store ${this.entity.fullName} (id ${JSON.stringify(stored.id)}) in ${this.rules.store}: field ${c.name} ${problem}. Fix the value, or keep it in a field stored as JSON.`, { entity: this.entity.fullName, id: stored.id, field: c.name })
  }
}

// a `__proto__` field stays an own data property
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
  else o[key] = value
}
