import type { z } from 'zod'
import { BackupError } from '../errors.js'
import type { BackupRegistry, FieldInfo, RegistryEntity } from '../types.js'
import { describeValue, FieldFault, formatPath } from './faults.js'
import { SchemaBuilder } from './zod.js'

/** What the build generates per entity: the fast path (serialize, check, revive) and the JSON Schema. */
export interface GeneratedCodec {
  write(entity: unknown): string
  check(value: unknown): boolean
  read(value: unknown): unknown
  jsonSchema?: Record<string, unknown>
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
  /** The JSON Schema, present when the policy has `includeSchema`. */
  readonly jsonSchema?: Record<string, unknown>
  /** One JSON text for the entity: fields in declared order, Date → ISO, bigint → string, Map → entries, Set → array, bytes → base64. */
  serialize(entity: T): string
  /** Validates a stored value (parsed JSON) and revives it as an instance of the class; `row` is for error messages. */
  deserialize(value: unknown, row?: number): T
  /** The generated fast check alone: true when the value is exactly the canonical stored form. */
  check(value: unknown): boolean
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

/** Builds the codecs of the included entities from the registry and the generated fast path. */
export function createCodecs(registry: BackupRegistry, generated: Record<string, GeneratedCodec>): Record<string, EntityCodec> {
  let builder: SchemaBuilder | null = null
  const schemas = () => (builder ??= new SchemaBuilder(registry.shapes))
  const out: Record<string, EntityCodec> = Object.create(null)
  for (const entity of registry.entities) {
    const gen = generated[entity.fullName]
    if (entity.status !== 'included' || !gen || !entity.shape) continue
    out[entity.fullName] = codecOf(entity, gen, registry, () => schemas().shape(entity.shape!))
  }
  return out
}

function codecOf(entity: RegistryEntity, gen: GeneratedCodec, registry: BackupRegistry, schemaOf: () => z.ZodType): EntityCodec {
  const shape = registry.shapes.find((s) => s.id === entity.shape)!
  let schema: z.ZodType | null = null
  const label = entity.fullName
  const invalid = (row: number | undefined, value: unknown, where: string, expected: string, found: unknown, cause?: unknown) =>
    new BackupError('ROW_INVALID', `${label} row${row === undefined ? '' : ` ${row}`}${idOf(value)}: field ${where}: expected ${expected}, found ${describeValue(found)}. The stored data does not fit the current ${entity.name} schema; fix the row or restore into a build whose entity matches.`,
      { entity: label, row, path: where, expected, found: describeValue(found) }, cause === undefined ? undefined : { cause })
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
        return gen.write(value)
      } catch (error) {
        const f = error instanceof FieldFault ? error : null
        throw new BackupError('ROW_UNSERIALIZABLE', `cannot serialize ${label}${idOf(value)}: field ${f ? f.where : '?'}: ${f ? f.message : String(error)}. Fix the value or its declared type.`,
          { entity: label, path: f?.where, expected: f?.expected }, { cause: error })
      }
    },
    deserialize(value, row) {
      if (!gen.check(value)) {
        const result = codec.schema.safeParse(value)
        if (!result.success) {
          const issue = result.error.issues[0]!
          const path = issue.code === 'unrecognized_keys' ? issue.path : issue.path
          throw invalid(row, value, formatPath(path), expectedOf(issue), issue.code === 'unrecognized_keys' ? valueAt(value, [...path, issue.keys[0]!]) : valueAt(value, path))
        }
      }
      try {
        return gen.read(value)
      } catch (error) {
        if (error instanceof FieldFault) throw invalid(row, value, error.where, error.expected, error.found, error)
        throw error
      }
    },
    check: gen.check,
  }
  if (gen.jsonSchema) (codec as { jsonSchema?: Record<string, unknown> }).jsonSchema = gen.jsonSchema
  return codec
}
