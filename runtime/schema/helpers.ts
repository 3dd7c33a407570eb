import { Buffer } from 'node:buffer'
import { fault } from './faults.js'

// characters that JSON must escape, and lone surrogates (JSON.stringify escapes those too)
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** JSON text of a string; skips JSON.stringify when nothing needs escaping. */
export function quote(s: string): string {
  return s.length < 4096 && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s)
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

/** The canonical stored form of a Date (`toISOString`). */
export const ISO_DATE = /^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
/** A bigint's stored form. */
export const BIGINT = /^-?(?:0|[1-9]\d*)$/
/** Base64 as written by Buffer#toString('base64'). */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const DATE_PREFIX = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})/

/** Revives a stored date; refuses strings that name no real instant (`2024-02-31` would roll over). */
export function date(s: string): Date {
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return fault('an ISO 8601 date-time', s)
  const m = DATE_PREFIX.exec(s)
  if (m) {
    const year = Number(m[1])
    const month = Number(m[2])
    const day = Number(m[3])
    const daysIn = month === 2 ? (isLeap(year) ? 29 : 28) : DAYS_IN_MONTH[month - 1]
    if (daysIn === undefined || day < 1 || day > daysIn) return fault('an existing calendar date', s)
  }
  return d
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

/** base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** Bytes from base64: a Buffer, or a plain Uint8Array copy. */
export function fromBase64(s: string, buffer: boolean): Uint8Array {
  const b = Buffer.from(s, 'base64')
  return buffer ? b : new Uint8Array(b)
}

/** Own-property test (stored rows are plain JSON objects). */
export function has(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key)
}

/** Sets a key on a revived record without ever touching a prototype (`__proto__` is data here). */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** Returned by generated readers at the first value that is not in the canonical stored form. */
export const FAIL: unique symbol = Symbol('koan-backup: not the canonical stored form')

function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48
  const b = s.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/**
 * Revives a date in the canonical form `Date#toISOString` writes (`2025-10-02T15:30:45.000Z`, or
 * `+275760-09-13T…` for extended years) without the cost of the general date parser; `FAIL` for any
 * other string, and for dates that do not exist (`2025-02-30`).
 */
export function canonicalDate(s: string): Date | typeof FAIL {
  const o = s.length === 24 ? 0 : s.length === 27 && (s[0] === '+' || s[0] === '-') ? 3 : -1
  if (o < 0 || s.charCodeAt(23 + o) !== 90 || s[4 + o] !== '-' || s[7 + o] !== '-' || s[10 + o] !== 'T' || s[13 + o] !== ':' || s[16 + o] !== ':' || s[19 + o] !== '.') return FAIL
  const hi = o === 0 ? digits2(s, 0) : digits2(s, 1) * 10000 + digits2(s, 3) * 100
  const lo = digits2(s, 2 + o)
  if (hi < 0 || lo < 0 || (o === 3 && (digits2(s, 1) < 0 || digits2(s, 3) < 0))) return FAIL
  const year = (o === 0 ? hi * 100 : hi) + lo
  const y = o === 3 && s[0] === '-' ? -year : year
  const month = digits2(s, 5 + o)
  const day = digits2(s, 8 + o)
  const h = digits2(s, 11 + o)
  const mi = digits2(s, 14 + o)
  const se = digits2(s, 17 + o)
  const m1 = digits2(s, 20 + o)
  const m3 = s.charCodeAt(22 + o) - 48
  if (month < 1 || month > 12 || day < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || m1 < 0 || m3 < 0 || m3 > 9) return FAIL
  if (day > (month === 2 ? (isLeap(y) ? 29 : 28) : DAYS_IN_MONTH[month - 1]!)) return FAIL
  const ms = m1 * 10 + m3
  // Date.UTC maps years 0–99 to 1900–1999: those (and extended years) take the exact route
  if (y >= 100 && o === 0) return new Date(Date.UTC(y, month - 1, day, h, mi, se, ms))
  const d = new Date(Date.UTC(2000, month - 1, day, h, mi, se, ms))
  d.setUTCFullYear(y)
  return Number.isNaN(d.getTime()) ? FAIL : d
}

/** One field's part of an embedding text: strings as they are, arrays joined with ', ', nothing as ''. */
export function textOf(value: unknown): string {
  return value === null || value === undefined ? '' : Array.isArray(value) ? value.map(textOf).join(', ') : String(value)
}
