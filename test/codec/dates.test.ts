import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalDate, FAIL } from '../../runtime/schema/helpers.js'

describe('canonicalDate (the readers\' date parser)', () => {
  it('reads every instant toISOString writes to the same instant, years 0000 to 9999 and beyond', () => {
    const instant = fc.integer({ min: Date.UTC(-271821, 3, 20), max: Date.UTC(275760, 8, 13) })
    fc.assert(fc.property(instant, (t) => {
      const s = new Date(t).toISOString()
      const d = canonicalDate(s)
      expect(d).toBeInstanceOf(Date)
      expect((d as Date).getTime()).toBe(t)
    }), { numRuns: 20_000 })
    for (const s of ['0000-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z', '0100-03-01T00:00:00.000Z', '1600-02-29T12:00:00.000Z',
      '1900-02-28T23:59:59.999Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect((canonicalDate(s) as Date).toISOString()).toBe(s)
    }
  })
  it('refuses dates that do not exist and any other format', () => {
    for (const s of ['1900-02-29T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-13-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z', '2024-01-01T00:60:00.000Z', '2024-01-01T00:00:60.000Z', '2024-01-01T00:00:00Z', '2024-01-01 00:00:00.000Z',
      '2024-01-01T00:00:00.000+00:00', '２024-01-01T00:00:00.000Z']) {
      expect(canonicalDate(s), s).toBe(FAIL)
    }
  })
})
