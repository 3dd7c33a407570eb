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
