/**
 * C1-3: power loss. Backups (four modes, one with vectors) and a prune run through a recording
 * BackupFs; the op log must follow the ordering rules of a durable commit, and for every point of
 * the log the worst-case tree a power loss there could leave (c1-oplog) is rebuilt and checked by a
 * fresh engine: every Completed backup verifies, `latest` restores to acknowledged data, and once
 * `create` has returned, to the new backup.
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import { rowsHash } from './c1-support.js'
import { orderingViolations, PowerLossModel, recordingFs, type Op } from './c1-oplog.js'
import { figure, MODES, modeEngine, removeDir, tempDir, withSeed, type Mode } from './harness.js'

const ROWS = 200
const totals = { runs: 0, points: 0, ordering: 0, replays: 0, torn: 0, broken: 0, lost: 0 }
const roots: string[] = []
afterAll(() => {
  for (const r of roots) removeDir(r)
  figure('C1-3', `${totals.runs} runs: ${totals.ordering} ordering violations; ${totals.replays} replays (the distinct durable trees of ${totals.points} power-loss points): ${totals.torn} accepted torn backups, ${totals.broken} listed-Completed backups that fail verify, ${totals.lost} with no restorable latest`)
})

/** Rebuilds the tree at every point of `log` and checks it; returns the violations. */
async function replay(mode: Mode, root: string, model: PowerLossModel, log: Op[], acknowledged: string[], final: string): Promise<string[]> {
  const violations: string[] = []
  const seen = new Set<string>()
  for (let i = 0; i <= log.length; i++) {
    if (i > 0) model.apply(log[i - 1]!)
    totals.points++
    // most operations change nothing durable: each distinct durable tree is checked once (and the final one always)
    const signature = model.signature()
    if (seen.has(signature) && i < log.length) continue
    seen.add(signature)
    const tree = join(root, '..', `${root.split('/').at(-1)}-replay`)
    rmSync(tree, { recursive: true, force: true })
    model.materialize(tree)
    // the process that held the locks is gone (stale-lock recovery is tested in C5)
    for (const name of readdirSync(tree, { recursive: true }) as string[]) if (/(^|\/)\.(manifest\.)?lock$/.test(name)) rmSync(join(tree, name), { force: true })
    totals.replays++
    const where = `${mode.name} power loss after op ${i}/${log.length}${i ? ` (${JSON.stringify({ ...log[i - 1], bytes: undefined })})` : ''}`
    const e = await modeEngine(mode, { path: tree })
    for (const b of await e.api.list()) {
      if (b.status !== 'Completed') continue
      try {
        await e.api.verify(b.timestamp, { readData: true })
      } catch (error) {
        violations.push(`${where}: backup ${b.timestamp} is listed Completed but does not verify: ${(error as Error).message}`)
        totals.broken++
      }
    }
    try {
      await e.api.restore()
      const got = rowsHash(await e.rows())
      if (i === log.length ? got !== final : !acknowledged.includes(got)) {
        violations.push(`${where}: latest restored data that is not ${i === log.length ? 'the new backup' : 'an acknowledged state'}`)
        totals.torn++
      }
    } catch (error) {
      violations.push(`${where}: latest does not restore: ${(error as Error).message}`)
      totals.lost++
    }
    rmSync(tree, { recursive: true, force: true })
  }
  return violations
}

describe('C1-3 power loss: fsync ordering and worst-case replay', () => {
  const cases: Array<{ mode: Mode; vectors?: boolean; prune?: boolean }> = [...MODES.map((mode) => ({ mode })), { mode: MODES[1]!, vectors: true }, { mode: MODES[0]!, prune: true }]
  for (const c of cases) {
    const name = `${c.mode.name}${c.vectors ? ' with vectors' : ''}${c.prune ? ', prune' : ''}`
    it(name, () => withSeed(`C1-3 ${name}`, async () => {
      const root = tempDir('c1-3')
      roots.push(root)
      const vectors = c.vectors ? memoryVectorStore() : undefined
      const before = await modeEngine(c.mode, { path: root, ...(vectors ? { config: { vectors } } : {}) })
      await before.seed(ROWS)
      if (vectors) {
        const vc = await vectors.collection({ fullName: c.mode.fullName, name: c.mode.entity }, { dimension: 8, metric: 'cosine' })
        await vc.upsert(Array.from({ length: ROWS + 7 }, (_, i) => ({ id: `m${i}`, vector: Float32Array.from({ length: 8 }, (_, k) => Math.sin(i + k)) })))
      }
      await before.create()
      if (c.prune) for (let k = 0; k < 2; k++) await before.create()
      const a = rowsHash(await before.rows())
      // the run under test: the store now holds more rows, so the new backup's data differs
      const log: Op[] = []
      const model = new PowerLossModel(root)
      const run = await modeEngine(c.mode, { path: root, store: before.store, fs: recordingFs(root, log), ...(vectors ? { config: { vectors } } : {}) })
      let b = a
      if (c.prune) {
        const pruned = await run.backup.prune({ maxBackupsPerEntity: 1, entities: [c.mode.entity] })
        expect(pruned.removed.length).toBe(2)
      } else {
        await run.seed(7, ROWS)
        await run.create()
        b = rowsHash(await run.rows())
      }
      totals.runs++
      const order = orderingViolations(log)
      totals.ordering += order.length
      const torn = await replay(c.mode, root, model, log, [a, b], b)
      expect({ order, torn }).toEqual({ order: [], torn: [] })
    }), 120_000)
  }
})
