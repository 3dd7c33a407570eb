/**
 * `koan-backup/codec`: what the generated registry module imports for entity serializers, plus
 * schema tools (zod schemas of the stored form, canonical models, fingerprints, schema diffs).
 */
export { compileCodecs, createCodecs, type EntityCodec, type GeneratedCodec } from './codec.js'
export { at, describeValue, fault, FieldFault, formatPath } from './faults.js'
export { BASE64, BIGINT, canonicalDate, date, FAIL, fromBase64, has, ISO_DATE, json, put, quote, toBase64 } from './helpers.js'
export { SlowReviver } from './revive.js'
export { jsonSchemaOf, SchemaBuilder } from './zod.js'
export { CanonicalModels, canonicalModel, fingerprintOf, stableJson, type CanonicalField, type CanonicalType } from './canonical.js'
export { diffSchemas, type SchemaChange } from './diff.js'
