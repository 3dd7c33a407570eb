import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareTimestamps, timestampOf } from '../../runtime/engine/layout.js'
import { planPrune } from '../../runtime/engine/retention.js'

const now = new Date('2025-10-30T12:00:00Z')
const ts = (daysAgo: number, suffix = '') => `${timestampOf(new Date(now.getTime() - daysAgo * 86_400_000))}${suffix}`

describe('planPrune', () => {
  it('keepDaily: the newest Completed backup of each of the last n days survives the count rule, not the age rule', () => {
    // five days with one backup each, then a burst of eight today
    const days = [5, 4, 3, 2, 1].map((d) => ({ timestamp: ts(d), status: 'Completed' as string | null }))
    const burst = Array.from({ length: 8 }, (_, i) => ({ timestamp: ts(0.01 + (8 - i) / 10_000), status: 'Completed' as string | null }))
    const backups = [...days, ...burst]
    const countOnly = planPrune(backups, { retentionDays: 30, maxBackupsPerEntity: 3 }, now, burst.at(-1)!.timestamp)
    expect(countOnly.map((x) => x.timestamp)).toEqual(expect.arrayContaining(days.map((d) => d.timestamp)))
    const daily = planPrune(backups, { retentionDays: 30, maxBackupsPerEntity: 3, keepDaily: 4 }, now, burst.at(-1)!.timestamp).map((x) => x.timestamp)
    // today (in the newest 3 anyway) and the three days before it are kept; days 4 and 5 ago are not
    expect(daily).not.toContain(ts(1))
    expect(daily).not.toContain(ts(2))
    expect(daily).not.toContain(ts(3))
    expect(daily).toContain(ts(4))
    expect(daily).toContain(ts(5))
    // the age rule still applies to a day the daily rule would keep
    expect(planPrune(backups, { retentionDays: 2.5, maxBackupsPerEntity: 3, keepDaily: 7 }, now, burst.at(-1)!.timestamp).map((x) => x.timestamp)).toContain(ts(3))
  })

  it('removes Completed backups older than retentionDays and beyond maxBackupsPerEntity, oldest first', () => {
    const backups = [40, 35, 20, 10, 5, 1].map((d) => ({ timestamp: ts(d), status: 'Completed' }))
    const plan = planPrune(backups, { retentionDays: 30, maxBackupsPerEntity: 3 }, now, ts(1))
    expect(plan.map((p) => [p.timestamp, p.reason])).toEqual([
      [ts(40), 'older than 30 days'], [ts(35), 'older than 30 days'], [ts(20), 'more than 3 backups'],
    ])
  })
  it('never removes the newest Completed backup or the latest target, even when all are old', () => {
    const backups = [100, 90, 80].map((d) => ({ timestamp: ts(d), status: 'Completed' }))
    const plan = planPrune(backups, { retentionDays: 1, maxBackupsPerEntity: 1 }, now, ts(90))
    expect(plan.map((p) => p.timestamp)).toEqual([ts(100)])
  })
  it('Failed backups never count toward the limits, and go once older than the retention period', () => {
    const backups = [
      { timestamp: ts(50), status: 'Failed' }, { timestamp: ts(3), status: 'Completed' },
      { timestamp: ts(2), status: 'Failed' }, { timestamp: ts(1), status: 'Failed' }, { timestamp: ts(0.5), status: 'Completed' },
    ]
    const plan = planPrune(backups, { retentionDays: 30, maxBackupsPerEntity: 2 }, now, ts(0.5))
    expect(plan.map((p) => p.timestamp)).toEqual([ts(50)])
  })
  it('unreadable folders and backups dated in the future are left alone', () => {
    const backups = [{ timestamp: ts(400), status: null }, { timestamp: ts(-3), status: 'Completed' }, { timestamp: ts(1), status: 'Completed' }]
    expect(planPrune(backups, { retentionDays: 30, maxBackupsPerEntity: 5 }, now, ts(1))).toEqual([])
  })

  it('property: over random histories the invariants hold', () => {
    const history = fc.array(fc.record({ daysAgo: fc.integer({ min: -5, max: 400 }), failed: fc.boolean(), unreadable: fc.boolean() }), { maxLength: 40 })
    const policy = fc.record({ retentionDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }), maxBackupsPerEntity: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }) })
    fc.assert(fc.property(history, policy, fc.boolean(), (h, p, pointToOld) => {
      const seen = new Set<string>()
      const backups = h.map((b, i) => ({ timestamp: ts(b.daysAgo, `-${i + 2}`), status: b.unreadable ? null : b.failed ? 'Failed' : 'Completed' }))
        .filter((b) => !seen.has(b.timestamp) && seen.add(b.timestamp))
        .sort((a, b) => compareTimestamps(a.timestamp, b.timestamp))
      const completed = backups.filter((b) => b.status === 'Completed')
      const latest = pointToOld ? completed[0]?.timestamp ?? null : completed.at(-1)?.timestamp ?? null
      const removed = new Set(planPrune(backups, p, now, latest).map((x) => x.timestamp))
      const kept = completed.filter((b) => !removed.has(b.timestamp))
      // the newest Completed and the latest target survive; unreadable folders are never touched
      if (completed.length) expect(removed.has(completed.at(-1)!.timestamp)).toBe(false)
      if (latest) expect(removed.has(latest)).toBe(false)
      for (const b of backups) if (b.status === null) expect(removed.has(b.timestamp)).toBe(false)
      // within the retention period, at most `max` Completed backups are removed down to, never below
      const max = p.maxBackupsPerEntity ?? Infinity
      const young = completed.filter((b) => now.getTime() - new Date(`${b.timestamp.slice(0, 10)}T${b.timestamp.slice(11, 19).replace(/-/g, ':')}Z`).getTime() <= (p.retentionDays ?? Infinity) * 86_400_000)
      expect(kept.length).toBeGreaterThanOrEqual(Math.min(young.length, max === Infinity ? young.length : max) - (pointToOld ? 1 : 0))
      // only Completed count: removing Failed never happens for count reasons
      for (const x of planPrune(backups, p, now, latest)) if (x.status === 'Failed') expect(x.reason).toMatch(/older than/)
    }), { numRuns: 10_000, seed: 36 })
  })
})
