/**
 * C5-36 — retention invariants over random histories with clock skew: a model-level property test of
 * `planPrune` (10k histories of creates, failures, unreadable folders and prunes while the clock jumps
 * back and forth), then the same kind of histories run through the engine on real folders.
 */
import fc from 'fast-check'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { Collection, DataStore } from '../../runtime/adapters/data/types.js'
import { compareTimestamps, dateOfTimestamp, nextTimestamp } from '../../runtime/engine/layout.js'
import { planPrune, type RetentionPolicy } from '../../runtime/engine/retention.js'
import { engine } from '../engine/setup.js'
import { figure, MODES, modeEngine, removeDir, scaled, SEED, tempDir, withSeed } from './harness.js'

const DAY = 86_400_000
const dirs: string[] = []
afterAll(() => { for (const d of dirs.splice(0)) removeDir(d) })

type Op =
  | { kind: 'create' | 'fail' | 'unreadable'; advance: number; skew: number }
  | { kind: 'prune'; advance: number; skew: number; policy: RetentionPolicy; dryRun: boolean }

const policyArb = fc.record({
  retentionDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
  maxBackupsPerEntity: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
})
// time moves forward by minutes to days; now and then the clock jumps (backwards or forwards, up to a year)
const skewArb = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -400 * DAY, max: 400 * DAY }) })
const advanceArb = fc.integer({ min: 0, max: 3 * DAY })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('create' as const), advance: advanceArb, skew: skewArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), advance: advanceArb, skew: skewArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unreadable' as const), advance: advanceArb, skew: skewArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('prune' as const), advance: advanceArb, skew: skewArb, policy: policyArb, dryRun: fc.boolean() }) },
)

describe('C5-36 retention', () => {
  it('10k random histories with clock skew: the invariants hold', () => withSeed('C5-36', async () => {
    const runs = scaled(10_000)
    let prunes = 0
    let removed = 0
    let futureKept = 0
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
      let real = Date.UTC(2025, 0, 1)
      let offset = 0
      const backups: Array<{ timestamp: string; status: string | null }> = []
      let latest: string | null = null
      for (const op of ops) {
        real += op.advance
        offset += op.skew
        const now = new Date(real + offset)
        if (op.kind !== 'prune') {
          const ts = nextTimestamp(now, (t) => backups.some((b) => b.timestamp === t))
          backups.push({ timestamp: ts, status: op.kind === 'create' ? 'Completed' : op.kind === 'fail' ? 'Failed' : null })
          backups.sort((a, b) => compareTimestamps(a.timestamp, b.timestamp))
          // the pointer follows successful creates only (a failed one never moves it)
          if (op.kind === 'create') latest = ts
          continue
        }
        prunes++
        const plan = planPrune(backups, op.policy, now, latest)
        const gone = new Set(plan.map((p) => p.timestamp))
        const completed = backups.filter((b) => b.status === 'Completed')
        const maxAge = op.policy.retentionDays === undefined ? Infinity : op.policy.retentionDays * DAY
        const max = op.policy.maxBackupsPerEntity ?? Infinity
        const age = (ts: string) => now.getTime() - dateOfTimestamp(ts).getTime()
        const newestMax = new Set(completed.slice(Math.max(0, completed.length - max)).map((b) => b.timestamp))
        // never the newest Completed, never the latest target, never an unreadable folder
        if (completed.length) expect(gone.has(completed.at(-1)!.timestamp)).toBe(false)
        if (latest) expect(gone.has(latest)).toBe(false)
        for (const b of backups) if (b.status === null) expect(gone.has(b.timestamp)).toBe(false)
        for (const p of plan) {
          // a removal for age is for real age beyond the period: backups dated in the future never go for age
          if (p.reason.startsWith('older') || p.reason.startsWith('failed')) expect(age(p.timestamp)).toBeGreaterThan(maxAge)
          // Failed backups never count: they only ever go for age
          if (p.status === 'Failed') expect(p.reason).toMatch(/older than/)
          // the count rule only takes Completed backups outside the newest `max`
          if (p.reason.startsWith('more than')) expect(newestMax.has(p.timestamp)).toBe(false)
        }
        // young backups among the newest `max` Completed survive
        for (const b of completed) if (newestMax.has(b.timestamp) && age(b.timestamp) <= maxAge) expect(gone.has(b.timestamp)).toBe(false)
        for (const b of completed) if (age(b.timestamp) < 0 && !gone.has(b.timestamp)) futureKept++
        if (op.dryRun) continue
        removed += gone.size
        for (let i = backups.length - 1; i >= 0; i--) if (gone.has(backups[i]!.timestamp)) backups.splice(i, 1)
        // pruning again at once removes nothing (idempotent)
        expect(planPrune(backups, op.policy, now, latest)).toEqual([])
      }
    }), { numRuns: runs, seed: SEED })
    figure('C5-36', `${runs} histories (up to 30 creates, failures, unreadable folders and prunes, clock jumping up to ±400 days): invariants hold 100% over ${prunes} prunes (${removed} removals): newest Completed and latest target kept, unreadable kept, Failed only for age, count rule only outside the newest max, no removal for age within the period (${futureKept} future-dated backups seen kept), a second prune removes nothing`)
  }))

  it('engine histories on real folders with clock skew: latest stays put through failures, prune keeps it, manifest == folders', () => withSeed('C5-36e', async (r) => {
    const histories = scaled(20)
    let ops = 0
    let failures = 0
    let prunes = 0
    let moved = 0
    for (let h = 0; h < histories; h++) {
      const path = tempDir('c5-36')
      dirs.push(path)
      let clock = Date.UTC(2025, 5, 1)
      let failing = false
      const inner = memoryStore()
      // a store whose stream fails on demand (the backup is then recorded Failed)
      const store: DataStore = {
        kind: 'flaky',
        async collection(d) {
          const c = await inner.collection(d)
          const wrapped: Collection = Object.create(c)
          wrapped.stream = () => {
            if (failing) throw new Error('connection reset by peer')
            return c.stream()
          }
          return wrapped
        },
      }
      const e = await engine({ path, store, now: () => new Date(clock) })
      await (await modeEngine(MODES[1]!, { path, store: inner })).seed(20)
      const api = e.backup.entity('Media')
      const pointer = () => { try { return JSON.parse(readFileSync(join(path, MODES[1]!.fullName, 'latest'), 'utf8')).timestamp as string } catch { return null } }
      for (let k = 0; k < 8; k++) {
        ops++
        clock += r.int(2 * DAY)
        if (r.int(5) === 0) clock += (r.int(2) === 0 ? -1 : 1) * r.int(300) * DAY
        const kind = r.pick(['create', 'create', 'fail', 'prune'] as const)
        const before = pointer()
        if (kind === 'create' || kind === 'fail') {
          failing = kind === 'fail'
          const made = await api.create().then((x) => x.timestamp, () => null)
          failing = false
          if (kind === 'fail') {
            failures++
            expect(made).toBeNull()
            if (pointer() !== before) moved++
          } else {
            expect(pointer()).toBe(made)
          }
        } else {
          prunes++
          const latest = pointer()
          const list = await api.list()
          const newest = list.filter((b) => b.status === 'Completed').map((b) => b.timestamp).sort(compareTimestamps).at(-1)
          const result = await e.backup.prune({ retentionDays: r.int(30), maxBackupsPerEntity: 1 + r.int(4), dryRun: r.int(3) === 0 })
          const removed = new Set(result.removed.map((x) => x.timestamp))
          if (latest) expect(removed.has(latest)).toBe(false)
          if (newest) expect(removed.has(newest)).toBe(false)
          if (result.dryRun) expect((await api.list()).length).toBe(list.length)
        }
        // the manifest lists exactly the folders, and latest names a Completed one
        const list = await api.list()
        const manifestFile = join(path, 'manifest.json')
        const manifest = (existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : { backups: [] }) as { backups: Array<{ timestamp: string; status: string }> }
        expect(manifest.backups.map((b) => `${b.timestamp} ${b.status}`).sort()).toEqual(list.map((b) => `${b.timestamp} ${b.status}`).sort())
        const p = pointer()
        if (p) expect(list.find((b) => b.timestamp === p)?.status).toBe('Completed')
      }
    }
    expect(moved).toBe(0)
    figure('C5-36', `${histories} engine histories on real folders (${ops} operations: ${failures} failed creates, ${prunes} prunes incl. dry runs, clock jumps up to ±300 days): latest moved by a failed create ${moved}/${failures}, prune never removed the latest target or the newest Completed, manifest == folders after every step`)
  }))
})
