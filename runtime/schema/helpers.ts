import { Buffer } from 'node:buffer'
import { fault } from './faults.js'
import { readHelpers } from './read-helpers.js'

// characters that JSON must escape, and lone surrogates (JSON.stringify escapes those too)
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** JSON text of a string; skips JSON.stringify when nothing needs escaping. */
export function quote(s: string): string {
  return s.length < 4096 && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s)
}

// The JSON text of one top-level field of a generated serializer, by type: `undefined` (a required
// field that is missing) is refused as "a value", anything else of the wrong type by the type's name.

/** JSON text of a string field. */
export function writeString(x: unknown): string {
  return typeof x === 'string' ? quote(x) : fault(x === undefined ? 'a value' : 'a string', x)
}

/** JSON text of a finite number field. */
export function writeNumber(x: unknown): string {
  return typeof x === 'number' && x - x === 0 ? '' + x : fault(x === undefined ? 'a value' : 'a finite number', x)
}

/** JSON text of a boolean field. */
export function writeBoolean(x: unknown): string {
  return x === true ? 'true' : x === false ? 'false' : fault(x === undefined ? 'a value' : 'a boolean', x)
}

/** JSON text of a bigint field (a decimal string). */
export function writeBigint(x: unknown): string {
  return typeof x === 'bigint' ? '"' + x + '"' : fault(x === undefined ? 'a value' : 'a bigint', x)
}

/** JSON text of a Date field (`toISOString`). */
export function writeDate(x: unknown): string {
  return x instanceof Date && x.getTime() === x.getTime() ? '"' + x.toISOString() + '"' : fault(x === undefined ? 'a value' : 'a valid Date', x)
}

/** JSON text of a bytes field (base64). */
export function writeBytes(x: unknown): string {
  return x instanceof Uint8Array ? '"' + toBase64(x) + '"' : fault(x === undefined ? 'a value' : 'a Uint8Array', x)
}

/** JSON text of an `unknown` value; refuses what JSON cannot carry. */
export function json(value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    return fault('a JSON value', value)
  }
  return text === undefined ? fault('a JSON value', value) : text
}

/** Returned by generated readers at the first value that is not in the canonical stored form. */
export const FAIL: unique symbol = Symbol('koan-backup: not the canonical stored form')

const read = readHelpers(FAIL)
/** The canonical stored form of a Date (`toISOString`). */
export const ISO_DATE = read.ISO_DATE
/** A bigint's stored form. */
export const BIGINT = read.BIGINT
/** Base64 as written by Buffer#toString('base64'). */
export const BASE64 = read.BASE64
/**
 * Revives a date in the canonical form `Date#toISOString` writes (`2025-10-02T15:30:45.000Z`, or
 * `+275760-09-13T…` for extended years) without the cost of the general date parser; `FAIL` for any
 * other string, and for dates that do not exist (`2025-02-30`).
 */
export const canonicalDate = read.canonicalDate
/** Bytes from base64: a Buffer, or a plain Uint8Array copy. */
export const fromBase64 = read.fromBase64
/** Own-property test (stored rows are plain JSON objects). */
export const has = read.has
/** Sets a key on a revived record without ever touching a prototype (`__proto__` is data here). */
export const put = read.put

const DATE_PREFIX = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})/

/** Revives a stored date; refuses strings that name no real instant (`2024-02-31` would roll over). */
export function date(s: string): Date {
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return fault('an ISO 8601 date-time', s)
  const m = DATE_PREFIX.exec(s)
  if (m) {
    const month = Number(m[2])
    const day = Number(m[3])
    if (month < 1 || month > 12 || day < 1 || day > read.daysInMonth(Number(m[1]), month)) return fault('an existing calendar date', s)
  }
  return d
}

/** base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** One field's part of an embedding text: strings as they are, arrays joined with ', ', nothing as ''. */
export function textOf(value: unknown): string {
  return value === null || value === undefined ? '' : Array.isArray(value) ? value.map(textOf).join(', ') : String(value)
}
