/**
 * C1-7: kill -9 during a restore, in the four modes. A child process restores a 20 000-row backup into
 * a SQLite file database (`sqliteStore({ file })`, WAL) and is SIGKILLed U(0, T) ms after it is ready
 * (T: an unkilled restore's duration, measured). Two starting states: an empty database, and one where
 * 10 % of the ids already hold other content (`overwriteExisting` true in half of those trials). After
 * each kill the parent opens the file as a restart would: every row equals the state before the
 * restore or the fully restored state (the restore is one transaction), `PRAGMA integrity_check` is
 * ok, a stale lock does not block the next restore, a re-run converges to the expected state, and a
 * second re-run changes nothing. SQLite has no constraint manager (`capabilities.constraints` false),
 * so there is no index or constraint drop to interrupt here.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sqliteStore } from '../../runtime/adapters/data/sqlite.js'
import { isBackupError } from '../../runtime/errors.js'
import { createEmptyDb, dbState, removeDb, restoreChildScript } from './c1-restore-support.js'
import { figure, MODES, modeEngine, removeDir, rowFields, runChild, scaled, tempDir, withSeed, type Mode } from './harness.js'

const ROWS = 20_000
const TRIALS = scaled(8)
/** A restore after a kill must start within this long (a torn lock file is stale after 1 s). */
const LOCK_BOUND_MS = 2_000
const t = { kills: 0, before: 0, mid: 0, after: 0, returned: 0, beforeOrAfter: 0, integrity: 0, converged: 0, idempotent: 0, locks: 0, torn: 0, staleRemoved: 0, maxWaitMs: 0 }
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) removeDir(d)
  const n = t.kills
  figure('C1-7', `${n} kills (${TRIALS} a mode × ${MODES.length} modes, ${ROWS} rows into a SQLite WAL file; empty or 10 % of ids pre-seeded with other content, overwriteExisting true in half): ` +
    `${t.before} before the first write, ${t.mid} mid-restore, ${t.after} after commit (${t.returned} after restore returned); ` +
    `store == before or == after ${t.beforeOrAfter}/${n}, integrity_check ok ${t.integrity}/${n}, re-run converged ${t.converged}/${n}, idempotent ${t.idempotent}/${n}; ` +
    `${t.locks} kills left the lock file (${t.torn} torn), ${t.staleRemoved} removed as stale by pid, next restore started within ${Math.ceil(t.maxWaitMs)} ms (bound ${LOCK_BOUND_MS} ms); ` +
    `no index/constraint drop to cut (SQLite has no constraint manager)`)
})

/** Ten per cent of the ids, seeded, with different content in every stored field but the id. */
function preseeded(mode: Mode, pick: () => number): Array<Record<string, unknown>> {
  return rowFields(mode, ROWS).filter(() => pick() < 0.1).map((f) => (mode.entity === 'Media'
    ? { ...f, title: `other ${String(f.id)}`, views: -1, tags: ['other'], dimensions: { width: 0, height: 0 } }
    : { ...f, email: `other-${String(f.id)}@example.org`, balance: -1n }))
}

describe('C1-7 kill -9 during a restore into a SQLite file', () => {
  for (const mode of MODES) {
    it(`${mode.name}: ${TRIALS} kills, store == before or after, re-run converges`, () => withSeed(`C1-7 ${mode.name}`, async (r) => {
      const dir = tempDir('c1-7')
      dirs.push(dir)
      const root = join(dir, 'backups')
      const source = await modeEngine(mode, { path: root })
      await source.seed(ROWS)
      await source.create()
      const Cls = source.m[mode.entity] as new () => object
      const table = mode.fullName
      // databases built with plain upserts (not through a restore): the starting states and the expected results
      const build = async (name: string, ...sets: Array<Array<Record<string, unknown>>>) => {
        const file = join(dir, name)
        const store = sqliteStore({ file })
        const c = await store.collection(source.descriptor)
        for (const set of sets) await c.upsert(set.map((f) => Object.assign(new Cls(), f)))
        await store.close()
        return { file, ...dbState(file, table) }
      }
      const other = preseeded(mode, () => r.next())
      const empty = { file: createEmptyDb(join(dir, 'empty.db')), ...dbState(join(dir, 'empty.db'), table) }
      const seeded = await build('seeded.db', other)
      const full = (await build('expect-full.db', rowFields(mode, ROWS))).hash
      const kept = (await build('expect-kept.db', rowFields(mode, ROWS), other)).hash
      const starts = { empty: { file: empty.file, hash: empty.hash }, seeded: { file: seeded.file, hash: seeded.hash } }

      // one unkilled restore: T, and proof that the child's restore gives the expected state
      const calibration = join(dir, 'calibration.db')
      copyFileSync(starts.empty.file, calibration)
      const first = await runChild(await restoreChildScript(root, mode, calibration, false))
      expect(first.stdout, first.stderr).toContain('done')
      expect(dbState(calibration, table).hash).toBe(full)
      const span = Math.max(50, Number(/restored (\d+)/.exec(first.stdout)![1]) * 1.15)

      const violations: string[] = []
      for (let trial = 0; trial < TRIALS; trial++) {
        const start = trial % 2 === 0 ? 'empty' : 'seeded'
        const overwrite = (trial >> 1) % 2 === 1
        const before = starts[start].hash
        const after = start === 'seeded' && !overwrite ? kept : full
        const file = join(dir, `trial-${trial}.db`)
        copyFileSync(starts[start].file, file)
        const delay = Math.floor(r.next() * span)
        const label = `${mode.name} trial ${trial} (${start}, overwriteExisting ${overwrite}, kill at ${delay} ms of ${Math.round(span)})`
        const run = await runChild(await restoreChildScript(root, mode, file, overwrite), { killAfterMs: delay })
        t.kills++
        if (!run.killed && run.code !== 0) violations.push(`${label}: the child failed: ${run.stderr.slice(0, 500)}`)

        // the file as a restart finds it
        const s = dbState(file, table)
        if (s.integrity === 'ok') t.integrity++
        else violations.push(`${label}: integrity_check: ${s.integrity}`)
        const wrote = run.stdout.includes('write\n')
        const returned = run.stdout.includes('restored ')
        if (s.hash === after) {
          t.after++
          if (returned) t.returned++
        } else if (s.hash === before) {
          if (wrote) t.mid++
          else t.before++
        } else {
          violations.push(`${label}: partial state: ${s.rows} rows, neither the ${start} state nor the restored one (wrote: ${wrote})`)
        }
        if (s.hash === after || s.hash === before) t.beforeOrAfter++
        if (returned && s.hash !== after) violations.push(`${label}: restore returned but its rows are not in the file after the kill`)
        if (!wrote && s.hash !== before) violations.push(`${label}: rows changed although no batch was handed to the store`)

        // the lock a killed restore held: stale by pid (or torn), never blocking for longer than the bound
        const lockFile = join(root, mode.fullName, '.lock')
        if (existsSync(lockFile)) {
          t.locks++
          try {
            JSON.parse(readFileSync(lockFile, 'utf8'))
          } catch {
            t.torn++
          }
        }
        const store = sqliteStore({ file })
        try {
          const e = await modeEngine(mode, { path: root, store })
          const rerun = async () => {
            const t0 = performance.now()
            for (;;) {
              let startedMs = -1
              try {
                const result = await e.api.restore({ overwriteExisting: overwrite, onProgress: () => { if (startedMs < 0) startedMs = performance.now() } })
                t.maxWaitMs = Math.max(t.maxWaitMs, startedMs - t0)
                if (startedMs - t0 > LOCK_BOUND_MS) violations.push(`${label}: the re-run waited ${Math.round(startedMs - t0)} ms for the lock`)
                return result
              } catch (error) {
                if (!isBackupError(error) || error.code !== 'BUSY' || performance.now() - t0 > LOCK_BOUND_MS) throw error
                await new Promise((res) => setTimeout(res, 50))
              }
            }
          }
          await rerun()
          t.staleRemoved += e.warnings.filter((w) => w.includes('removed a stale lock')).length
          const once = dbState(file, table)
          if (once.hash === after && once.integrity === 'ok') t.converged++
          else violations.push(`${label}: the re-run gave ${once.rows} rows, not the expected state (integrity ${once.integrity})`)
          const again = await rerun()
          const twice = dbState(file, table)
          if (twice.hash === once.hash && again.inserted === 0) t.idempotent++
          else violations.push(`${label}: a second re-run changed the store (inserted ${again.inserted})`)
        } catch (error) {
          violations.push(`${label}: re-run failed: ${(error as Error).message}`)
        } finally {
          await store.close()
          removeDb(file)
        }
      }
      expect(violations).toEqual([])
    }), 120_000)
  }
})
