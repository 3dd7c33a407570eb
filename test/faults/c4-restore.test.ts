/**
 * C4 — restore semantics (RELIABILITY-MATRIX rows 30–32): restoring into a store that already holds
 * rows, restoring twice, and backing up while a writer keeps changing the rows.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import type { Collection, DataStore } from '../../runtime/adapters/data/types.js'
import { backupFiles } from '../engine/tamper.js'
import { countWrites, rowHashes, withoutTransactions } from './c345.js'
import { figure, MODES, modeEngine, type Mode, removeDir, rowFields, scaled, tempDir, withSeed } from './harness.js'

const dirs: string[] = []
afterAll(() => { for (const d of dirs.splice(0)) removeDir(d) })

/** A row of the mode's entity whose every field is derived from (id, version): a torn row cannot pass for a committed one. */
function versioned(mode: Mode, id: string, v: number): Record<string, unknown> {
  return mode.entity === 'Media'
    ? { id, title: `v${v}`, description: `d${v}:${id}`, views: v, rating: v % 5, createdAt: new Date(1_700_000_000_000 + v), dimensions: { width: v, height: v + 1 }, tags: [`t${v}`] }
    : { id, email: `${id}.v${v}@example.com`, balance: BigInt(v) * 3n, openedAt: new Date(v * 1000) }
}

/** The version a stored row claims, if every field agrees with it; else `null` (a torn row). */
function versionOf(mode: Mode, row: Record<string, unknown>, storedForm: (id: string, v: number) => string): number | null {
  const v = mode.entity === 'Media' ? Number(row.views) : Number(BigInt(row.balance as string) / 3n)
  return JSON.stringify(row) === storedForm(row.id as string, v) ? v : null
}

/** A store whose streams read each row as it is when reached (no snapshot), pausing so writers interleave. */
function liveStore(inner: DataStore, onStream: () => void): DataStore {
  return {
    kind: 'live',
    async collection(d) {
      const c = await inner.collection(d)
      const wrapped: Collection = Object.create(c)
      Object.defineProperty(wrapped, 'capabilities', { value: { ...c.capabilities, snapshot: false } })
      wrapped.stream = async function* () {
        onStream()
        const ids: unknown[] = []
        for await (const r of c.stream()) ids.push((r as { id: unknown }).id)
        for (let i = 0; i < ids.length; i++) {
          if (i % 20 === 0) await new Promise((r) => setImmediate(r))
          const row = await c.get(ids[i] as string)
          if (row !== undefined) yield row
        }
      }
      return wrapped
    },
  }
}

describe('C4 restore semantics', () => {
  it('C4-30 overwrite=false into a store holding 10% of the ids: 0 existing rows modified, conflicts == overlap', () => withSeed('C4-30', async (r) => {
    const n = 2000
    const lines: string[] = []
    let modified = 0
    let mismatched = 0
    for (const mode of MODES) {
      const path = tempDir('c4-30')
      dirs.push(path)
      const source = await modeEngine(mode, { path })
      await source.seed(n)
      await source.create()
      for (const transactions of [true, false]) {
        const inner = memoryStore()
        const x = await modeEngine(mode, { path, store: countWrites(transactions ? inner : withoutTransactions(inner)) })
        const Cls = x.m[mode.entity] as new () => object
        // 10% of the backup's ids already there with other content, plus rows the backup does not have
        const overlap = new Set<number>()
        while (overlap.size < n / 10) overlap.add(r.int(n))
        const c = await x.store.collection(x.descriptor)
        const prefix = mode.entity === 'Media' ? 'm' : 'a'
        await c.upsert([...overlap].map((i) => Object.assign(new Cls(), versioned(mode, `${prefix}${i}`, 1_000_000 + i))))
        await c.upsert(rowFields(mode, 50, n).map((f) => Object.assign(new Cls(), f)))
        const before = await rowHashes(x.store, x.descriptor)
        const dry = await x.api.restore({ dryRun: true })
        expect(await rowHashes(x.store, x.descriptor)).toEqual(before)
        const result = await x.api.restore()
        const after = await rowHashes(x.store, x.descriptor)
        for (const [id, hash] of before) if (after.get(id) !== hash) modified++
        if (result.skipped !== overlap.size || dry.skipped !== overlap.size || result.inserted !== n - overlap.size || after.size !== n + 50) mismatched++
        expect({ skipped: result.skipped, dry: dry.skipped, inserted: result.inserted, rows: after.size }).toEqual({ skipped: overlap.size, dry: overlap.size, inserted: n - overlap.size, rows: n + 50 })
        lines.push(`${mode.name}${transactions ? '' : ' (no tx)'} ${result.skipped}/${overlap.size}`)
      }
    }
    expect(modified).toBe(0)
    figure('C4-30', `0 existing rows modified (every row hashed before and after; ${2000 / 10} overlapping + 50 unrelated rows per target); conflicts reported == overlap in ${lines.length - mismatched}/${lines.length} restores and in the dry-run preflight (${lines.join(', ')}); policy: insert-only, existing ids skipped and counted`)
  }))

  it('C4-31 overwrite=true twice: a safety backup first; the second run changes nothing; covered ids equal the backup', () => withSeed('C4-31', async (r) => {
    const n = 2000
    let idempotent = 0
    let runs = 0
    let safety = 0
    let undone = 0
    let notLatest = 0
    let uncounted = 0
    let hashed = 0
    for (const mode of MODES) {
      const path = tempDir('c4-31')
      dirs.push(path)
      const source = await modeEngine(mode, { path })
      await source.seed(n)
      await source.create()
      const backupRows = await rowHashes(source.store, source.descriptor)
      for (const transactions of [true, false]) {
        const x = await modeEngine(mode, { path, store: transactions ? memoryStore() : withoutTransactions(memoryStore()) })
        const Cls = x.m[mode.entity] as new () => object
        const prefix = mode.entity === 'Media' ? 'm' : 'a'
        const c = await x.store.collection(x.descriptor)
        const changed = Array.from({ length: 300 }, () => r.int(n))
        await c.upsert([...new Set(changed)].map((i) => Object.assign(new Cls(), versioned(mode, `${prefix}${i}`, 5_000_000 + i))))
        await c.upsert(rowFields(mode, 25, n).map((f) => Object.assign(new Cls(), f)))
        const uncovered = new Map([...(await rowHashes(x.store, x.descriptor))].filter(([id]) => !backupRows.has(id)))
        const latestBefore = (await x.api.info('latest')).timestamp
        const pre = await rowHashes(x.store, x.descriptor)
        const run1 = await x.api.restore({ overwriteExisting: true })
        const first = await rowHashes(x.store, x.descriptor)
        const second = await x.api.restore({ overwriteExisting: true })
        const again = await rowHashes(x.store, x.descriptor)
        runs++
        expect(again).toEqual(first)
        expect(second.overwritten).toBe(n)
        for (const [id, hash] of backupRows) expect(first.get(id)).toBe(hash)
        for (const [id, hash] of uncovered) expect(first.get(id)).toBe(hash)
        if (JSON.stringify([...again]) === JSON.stringify([...first])) idempotent++
        // the store held rows, so each overwriting run took a safety backup of them first
        expect(run1.safetyBackup).toBeDefined()
        expect(second.safetyBackup).toBeDefined()
        const listed = await x.api.list()
        const taken = listed.filter((b) => b.timestamp === run1.safetyBackup || b.timestamp === second.safetyBackup)
        expect(taken.map((b) => [b.status, b.kind, b.latest, b.encrypted])).toEqual([['Completed', 'safety', false, mode.encrypted], ['Completed', 'safety', false, mode.encrypted]])
        safety += taken.length
        // latest keeps naming the regular backup
        expect(listed.filter((b) => b.latest).map((b) => b.timestamp)).toEqual([latestBefore])
        expect((await x.api.info('latest')).timestamp).toBe(latestBefore)
        if (taken.every((b) => !b.latest)) notLatest += taken.length
        // restoring the first safety backup into an empty store gives back exactly the pre-restore rows
        const undo = await modeEngine(mode, { path })
        await undo.api.restore({ timestamp: run1.safetyBackup })
        const restored = await rowHashes(undo.store, undo.descriptor)
        expect(restored).toEqual(pre)
        hashed += pre.size
        if (restored.size === pre.size && [...pre].every(([id, hash]) => restored.get(id) === hash)) undone++
        // prune's count rule ignores safety backups: with one regular backup allowed, nothing goes
        const pruned = await x.backup.prune({ entities: [mode.entity], maxBackupsPerEntity: 1, dryRun: true })
        expect(pruned.removed).toEqual([])
        if (!pruned.removed.some((p) => taken.some((b) => b.timestamp === p.timestamp))) uncounted += taken.length
      }
    }
    figure('C4-31', `state after run 1 == run 2 in ${idempotent}/${runs} double restores (4 modes × stores with and without transactions; covered ids equal the backup, ids outside it untouched); safety backup before overwrite: ${safety}/${2 * runs} overwriting runs took one (the store held rows), ${undone}/${runs} restored into an empty store == the pre-restore state (every row hashed: ${hashed} rows), ${notLatest}/${safety} not latest, ${uncounted}/${safety} ignored by prune's count rule (maxBackupsPerEntity 1: 0 removed)`)
  }))

  it('C4-32 a backup taken while a writer updates rows: every restored row is some committed version', () => withSeed('C4-32', async (r) => {
    const n = 1500
    const lines: string[] = []
    let torn = 0
    let uncommitted = 0
    let checked = 0
    for (const mode of MODES) {
      for (const live of [true, false]) {
        const path = tempDir('c4-32')
        dirs.push(path)
        const inner = memoryStore()
        // the snapshot store: remember which versions were current when the backup's stream began
        let snapshotAt = new Map<string, number>()
        const snapshot: DataStore = {
          kind: 'snapshot',
          async collection(d) {
            const c = await inner.collection(d)
            const wrapped: Collection = Object.create(c)
            wrapped.stream = () => {
              snapshotAt = new Map(version)
              return c.stream()
            }
            return wrapped
          },
        }
        const version = new Map<string, number>()
        const e = await modeEngine(mode, { path, store: live ? liveStore(inner, () => { snapshotAt = new Map(version) }) : snapshot })
        const prefix = mode.entity === 'Media' ? 'm' : 'a'
        const Cls = e.m[mode.entity] as new () => object
        const c = await inner.collection(e.descriptor)
        const committed = new Map<string, Set<number>>()
        const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`)
        for (const id of ids) { committed.set(id, new Set([0])); version.set(id, 0) }
        await c.upsert(ids.map((id) => Object.assign(new Cls(), versioned(mode, id, 0))))
        // the writer: a version is recorded as committed before its write starts (a superset of what is visible)
        let stop = false
        let writes = 0
        const writer = (async () => {
          while (!stop) {
            const batch = Array.from({ length: 1 + r.int(5) }, () => ids[r.int(n)]!)
            const rows = batch.map((id) => {
              const v = version.get(id)! + 1
              version.set(id, v)
              committed.get(id)!.add(v)
              return Object.assign(new Cls(), versioned(mode, id, v))
            })
            await c.upsert(rows)
            writes += rows.length
            await new Promise((res) => setImmediate(res))
          }
        })()
        const { timestamp } = await e.create()
        stop = true
        await writer
        const meta = backupFiles(path, mode.fullName, timestamp).metadata
        expect(meta.consistency).toBe(live ? 'per-row' : 'snapshot')
        expect(Date.parse(meta.startedAt)).toBeLessThanOrEqual(Date.parse(meta.finishedAt))
        const x = await modeEngine(mode, { path })
        await x.api.restore()
        let differsFromStart = 0
        for (const row of (await x.rows()) as Array<Record<string, unknown>>) {
          checked++
          const v = versionOf(mode, row, (id, version) => JSON.stringify(x.descriptor.toStored(Object.assign(new Cls(), versioned(mode, id, version)))))
          if (v === null) torn++
          else if (!committed.get(row.id as string)!.has(v)) uncommitted++
          else if (v !== snapshotAt.get(row.id as string)) differsFromStart++
        }
        if (!live) expect(differsFromStart).toBe(0)
        lines.push(`${mode.name} ${live ? 'per-row store' : 'snapshot store'}: ${writes} concurrent writes, ${differsFromStart} rows newer than the start`)
      }
    }
    expect(torn).toBe(0)
    expect(uncommitted).toBe(0)
    figure('C4-32', `every restored row == some committed version: ${checked} rows checked, 0 torn (${torn}), 0 never-committed (${uncommitted}); metadata records consistency (per-row / snapshot) and start/end times; ${lines.join('; ')}`)
  }))
})
