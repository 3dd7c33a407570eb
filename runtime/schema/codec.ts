import type { z } from 'zod'
import { BackupError } from '../errors.js'
import type { BackupRegistry, FieldInfo, RegistryEntity } from '../types.js'
import { at, describeValue, fault, FieldFault, formatPath } from './faults.js'
import {
  BASE64, BIGINT, canonicalDate, date, FAIL, fromBase64, has, ISO_DATE, json, put, quote, textOf, toBase64,
  writeBigint, writeBoolean, writeBytes, writeDate, writeNumber, writeString,
} from './helpers.js'
import { generateCodecProgram } from './program.js'
import { SlowReviver } from './revive.js'
import { SchemaBuilder, toJsonSchema } from './zod.js'

/** What the codec program holds per entity: the fast path (serialize; validate-and-revive, `FAIL` on any mismatch). */
export interface GeneratedCodec {
  write(entity: unknown): string
  read(value: unknown): unknown
  /** The embedding text, for entities that declare an embedding recipe. */
  text?(entity: unknown): string
}

/** Serializer, validator and reviver of one entity's stored form. */
export interface EntityCodec<T = unknown> {
  readonly name: string
  readonly fullName: string
  /** Stable hash of the canonical field model. */
  readonly fingerprint: string
  /** The stored fields in declared order. */
  readonly fields: FieldInfo[]
  /** zod 4 schema of the stored (JSON) form; built on first use. */
  readonly schema: z.ZodType
  /** The JSON Schema (draft 2020-12, from zod), present when the policy has `includeSchema`; built on first use. */
  readonly jsonSchema?: Record<string, unknown>
  /** One JSON text for the entity: fields in declared order, Date → ISO, bigint → string, Map → entries, Set → array, bytes → base64. */
  serialize(entity: T): string
  /** Validates a stored value (parsed JSON) and revives it as an instance of the class; `row` is for error messages. */
  deserialize(value: unknown, row?: number): T
  /** True when the value is exactly the canonical stored form (what `serialize` writes). */
  check(value: unknown): boolean
  /** The embedding recipe (fields, model, joiner, recipe hash), when the entity declares one. */
  readonly embedding?: { fields: string[]; model: string; joiner: string; recipe: string }
  /** The entity's embedding text (its recipe's fields joined); present with `embedding`. */
  embeddingText?(entity: T): string
}

function idOf(value: unknown): string {
  const id = value && typeof value === 'object' ? (value as Record<string, unknown>).id : undefined
  return typeof id === 'string' || typeof id === 'number' ? ` (id ${JSON.stringify(id)})` : ''
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = value
  for (const seg of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, seg)) return undefined
    current = (current as Record<PropertyKey, unknown>)[seg]
  }
  return current
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return issue.expected === 'nonoptional' ? 'a value' : issue.expected
    case 'invalid_value': return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'invalid_format': return issue.format === 'regex' ? issue.message : `a ${issue.format} string`
    case 'unrecognized_keys': return `no other keys (unknown: ${issue.keys.map((k) => JSON.stringify(k)).join(', ')})`
    default: return issue.message
  }
}

/** The helpers the generated codec program receives as `$`. */
const PROGRAM_HELPERS = {
  quote, json, date, toBase64, fromBase64, has, put, fault, at, ISO_DATE, BIGINT, BASE64, canonicalDate, FAIL, textOf,
  writeString, writeNumber, writeBoolean, writeBigint, writeDate, writeBytes,
}

type ClassMap = Record<string, { prototype: object }>

/**
 * Builds the codecs of the included entities from the registry. Their fast path, the codec program,
 * is generated from the registry's shapes (`generateCodecProgram`) and compiled once, on the first
 * use of any codec, so an app pays for it only when it reads or writes rows. `classes` maps shape ids
 * to the classes instances are revived with (`codecClassIds` lists the ones the program takes).
 */
export function compileCodecs(registry: BackupRegistry, classes: ClassMap): Record<string, EntityCodec> {
  let program: string | null = null
  // generated from the registry's own field lists; it holds no other input
  const source = () => (program ??= generateCodecProgram(registry).source)
  let compiled: Record<string, GeneratedCodec> | null = null
  const load = () => (compiled ??= new Function('$', 'C', source())(PROGRAM_HELPERS, classes) as Record<string, GeneratedCodec>)
  const codecs = createCodecs(registry, (fullName) => load()[fullName], classes)
  for (const codec of Object.values(codecs)) Object.defineProperty(codec, PROGRAM, { get: source })
  return codecs
}

/**
 * Where a compiled codec keeps its generated program: a registered symbol, so that an engine from
 * another copy of this module (an app bundle next to an installed package) finds it too.
 */
const PROGRAM = Symbol.for('koan-backup.codec-program')

/**
 * The generated codec program a codec was compiled from (`compileCodecs`), for code that rebuilds its
 * reader elsewhere (a worker thread checking rows); `undefined` for codecs made from functions.
 */
export function codecProgram(codec: EntityCodec): string | undefined {
  const program = (codec as unknown as Record<symbol, unknown>)[PROGRAM]
  return typeof program === 'string' ? program : undefined
}

/** Builds the codecs of the included entities from the registry and their generated fast paths. */
export function createCodecs(registry: BackupRegistry, generated: (fullName: string) => GeneratedCodec | undefined, classes: ClassMap = {}): Record<string, EntityCodec> {
  let builder: SchemaBuilder | null = null
  let slow: SlowReviver | null = null
  const schemas = () => (builder ??= new SchemaBuilder(registry.shapes))
  const reviver = () => (slow ??= new SlowReviver(registry.shapes, classes))
  const out: Record<string, EntityCodec> = Object.create(null)
  for (const entity of registry.entities) {
    if (entity.status !== 'included' || !entity.shape) continue
    let gen: GeneratedCodec | null = null
    const fast = () => {
      gen ??= generated(entity.fullName) ?? null
      if (!gen) throw new BackupError('UNKNOWN_ENTITY', `${entity.fullName} has no generated codec; rebuild with the koan-backup plugin`, { entity: entity.fullName })
      return gen
    }
    out[entity.fullName] = codecOf(entity, fast, registry, () => schemas().shape(entity.shape!), reviver)
  }
  return out
}

function codecOf(entity: RegistryEntity, fast: () => GeneratedCodec, registry: BackupRegistry, schemaOf: () => z.ZodType, reviver: () => SlowReviver): EntityCodec {
  const shape = registry.shapes.find((s) => s.id === entity.shape)!
  let schema: z.ZodType | null = null
  const label = entity.fullName
  const invalid = (row: number | undefined, value: unknown, where: string, expected: string, found: unknown, cause?: unknown) =>
    new BackupError('ROW_INVALID', `${label} row${row === undefined ? '' : ` ${row}`}${idOf(value)}: field ${where}: expected ${expected}, found ${describeValue(found)}. The stored data does not fit the current ${entity.name} schema; fix the row or restore into a build whose entity matches.`,
      { entity: label, row, path: where, expected, found: describeValue(found) }, cause === undefined ? undefined : { cause })
  let read: ((value: unknown) => unknown) | null = null
  /** The generated reader (taken once). */
  const reader = () => (read ??= fast().read)
  /** Any value the generated reader does not take: zod, the schema of record, says why or accepts (then the general reviver runs). */
  const slowDeserialize = (value: unknown, row: number | undefined): unknown => {
    const result = codec.schema.safeParse(value)
    if (!result.success) {
      const issue = result.error.issues[0]!
      const path = issue.path
      throw invalid(row, value, formatPath(path), expectedOf(issue), issue.code === 'unrecognized_keys' ? valueAt(value, [...path, issue.keys[0]!]) : valueAt(value, path))
    }
    try {
      return reviver().shape(entity.shape!, value as Record<string, unknown>)
    } catch (error) {
      if (error instanceof FieldFault) throw invalid(row, value, error.where, error.expected, error.found, error)
      throw error
    }
  }
  const codec: EntityCodec = {
    name: entity.name,
    fullName: entity.fullName,
    fingerprint: entity.fingerprint!,
    fields: shape.fields,
    get schema() {
      return (schema ??= schemaOf())
    },
    serialize(value) {
      try {
        return fast().write(value)
      } catch (error) {
        const f = error instanceof FieldFault ? error : null
        throw new BackupError('ROW_UNSERIALIZABLE', `cannot serialize ${label}${idOf(value)}: field ${f ? f.where : '?'}: ${f ? f.message : String(error)}. Fix the value or its declared type.`,
          { entity: label, path: f?.where, expected: f?.expected }, { cause: error })
      }
    },
    deserialize(value, row) {
      // the generated reader validates and revives the canonical form in one pass; kept this small so
      // that callers' loops inline it, the rest being out of line
      const revived = reader()(value)
      return revived !== FAIL ? revived : slowDeserialize(value, row)
    },
    check: (value) => reader()(value) !== FAIL,
    ...(entity.embedding ? { embedding: entity.embedding, embeddingText: (value: unknown) => fast().text!(value) } : {}),
  }
  if (entity.policy?.includeSchema) {
    let jsonSchema: Record<string, unknown> | null = null
    Object.defineProperty(codec, 'jsonSchema', { enumerable: true, get: () => (jsonSchema ??= toJsonSchema(codec.schema)) })
  }
  return codec
}
