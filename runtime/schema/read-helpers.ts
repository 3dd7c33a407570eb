/**
 * The helpers generated readers call (the hot path of every restore), made by one self-contained
 * function: it refers to nothing but its argument and the globals of JavaScript and Node, so a worker
 * thread builds the same helpers from its source text (`readHelpers.toString()`) whatever bundled or
 * minified this module. `FAIL` is the caller's marker for "not the canonical stored form".
 */
export function readHelpers<F extends symbol>(FAIL: F) {
  const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

  function isLeap(y: number): boolean {
    return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  }

  /** Days in a month of a (proleptic Gregorian) year; `month` is 1–12. */
  function daysInMonth(year: number, month: number): number {
    return month === 2 ? (isLeap(year) ? 29 : 28) : DAYS_IN_MONTH[month - 1]!
  }

  function digits2(s: string, i: number): number {
    const a = s.charCodeAt(i) - 48
    const b = s.charCodeAt(i + 1) - 48
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
  }

  /**
   * Days from 1970-01-01 to a proleptic Gregorian date (year ≥ 0), in integer arithmetic: what
   * `Date.UTC` computes, without its general argument handling (the hot path of reading dates).
   */
  function daysFromCivil(year: number, month: number, day: number): number {
    const y = month <= 2 ? year - 1 : year
    const era = Math.floor(y / 400)
    const yearOfEra = y - era * 400
    const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
    const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  function canonicalDate(s: string): Date | F {
    const len = s.length
    if (len === 24) {
      // YYYY-MM-DDTHH:MM:SS.mmmZ, read digit by digit (no substrings, no general date parser)
      const c = (i: number) => s.charCodeAt(i) - 48
      if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return FAIL
      const d0 = c(0), d1 = c(1), d2 = c(2), d3 = c(3), mo0 = c(5), mo1 = c(6), da0 = c(8), da1 = c(9)
      const h0 = c(11), h1 = c(12), mi0 = c(14), mi1 = c(15), s0 = c(17), s1 = c(18), ms0 = c(20), ms1 = c(21), ms2 = c(22)
      // `x >>> 0 > 9` is true for anything but a digit (a char below '0' gives a negative number)
      if (d0 >>> 0 > 9 || d1 >>> 0 > 9 || d2 >>> 0 > 9 || d3 >>> 0 > 9 || mo0 >>> 0 > 9 || mo1 >>> 0 > 9 || da0 >>> 0 > 9 || da1 >>> 0 > 9 ||
        h0 >>> 0 > 9 || h1 >>> 0 > 9 || mi0 >>> 0 > 9 || mi1 >>> 0 > 9 || s0 >>> 0 > 9 || s1 >>> 0 > 9 || ms0 >>> 0 > 9 || ms1 >>> 0 > 9 || ms2 >>> 0 > 9) return FAIL
      const year = d0 * 1000 + d1 * 100 + d2 * 10 + d3
      const month = mo0 * 10 + mo1
      const day = da0 * 10 + da1
      const h = h0 * 10 + h1
      const mi = mi0 * 10 + mi1
      const se = s0 * 10 + s1
      if (month < 1 || month > 12 || day < 1 || h > 23 || mi > 59 || se > 59) return FAIL
      if (day > daysInMonth(year, month)) return FAIL
      const ms = ms0 * 100 + ms1 * 10 + ms2
      if (year >= 100) return new Date(daysFromCivil(year, month, day) * 86_400_000 + ((h * 60 + mi) * 60 + se) * 1000 + ms)
      const d = new Date(Date.UTC(2000, month - 1, day, h, mi, se, ms))
      d.setUTCFullYear(year)
      return d
    }
    return len === 27 ? extendedDate(s) : FAIL
  }

  /** `±YYYYYY-…` (years outside 0000–9999), as toISOString writes them. */
  function extendedDate(s: string): Date | F {
    if (s[0] !== '+' && s[0] !== '-') return FAIL
    const o = 3
    if (s.charCodeAt(23 + o) !== 90 || s[4 + o] !== '-' || s[7 + o] !== '-' || s[10 + o] !== 'T' || s[13 + o] !== ':' || s[16 + o] !== ':' || s[19 + o] !== '.') return FAIL
    const parts = [digits2(s, 1), digits2(s, 3), digits2(s, 5), digits2(s, 5 + o), digits2(s, 8 + o), digits2(s, 11 + o), digits2(s, 14 + o), digits2(s, 17 + o), digits2(s, 20 + o)]
    const m3 = s.charCodeAt(22 + o) - 48
    if (parts.some((p) => p < 0) || m3 < 0 || m3 > 9) return FAIL
    const [a, b, c, month, day, h, mi, se, m1] = parts as [number, number, number, number, number, number, number, number, number]
    const y = (s[0] === '-' ? -1 : 1) * (a * 10000 + b * 100 + c)
    if (month < 1 || month > 12 || day < 1 || h > 23 || mi > 59 || se > 59) return FAIL
    if (day > daysInMonth(y, month)) return FAIL
    const d = new Date(Date.UTC(2000, month - 1, day, h, mi, se, m1 * 10 + m3))
    d.setUTCFullYear(y)
    return Number.isNaN(d.getTime()) ? FAIL : d
  }

  function fromBase64(s: string, buffer: boolean): Uint8Array {
    const b = Buffer.from(s, 'base64')
    return buffer ? b : new Uint8Array(b)
  }

  function has(o: object, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(o, key)
  }

  function put(target: Record<string, unknown>, key: string, value: unknown): void {
    if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
    else target[key] = value
  }

  return {
    FAIL,
    ISO_DATE: /^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    BIGINT: /^-?(?:0|[1-9]\d*)$/,
    BASE64: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    canonicalDate, daysInMonth, fromBase64, has, put,
  }
}
