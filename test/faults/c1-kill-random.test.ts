/**
 * C1-1: kill -9 during a backup at a random time, in the four modes. A child process backs up a
 * multi-thousand-row entity and is SIGKILLed U(0, T) ms after it is ready (T: a full backup's
 * duration, measured); after each kill a fresh engine checks the crash invariants (c1-support).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { checkAfterCrash, datasetHash, stagingDirs } from './c1-support.js'
import { childScript, figure, MODES, removeDir, runChild, scaled, tempDir, withSeed } from './harness.js'

const ROWS = 10_000
const TRIALS = scaled(15)
const totals = { kills: 0, completedBeforeKill: 0, incompleteAccepted: 0, dangling: 0, orphansSwept: 0, restores: 0, tornLocks: 0 }
const roots: string[] = []
afterAll(() => {
  for (const r of roots) removeDir(r)
  figure('C1-1', `${totals.kills} trials (${TRIALS} a mode, ${ROWS} rows): ${totals.kills - totals.completedBeforeKill} killed mid-backup, ${totals.completedBeforeKill} finished first; ` +
    `0 incomplete backups accepted (${totals.incompleteAccepted} found), ${totals.dangling} dangling latest, ${totals.orphansSwept} orphans swept, ` +
    `latest restored == acknowledged ${totals.restores}/${totals.kills}; ${totals.tornLocks} restarts found a torn lock file and waited 1 s for it to go stale`)
})

describe('C1-1 kill -9 at a random time during a backup', () => {
  for (const mode of MODES) {
    it(`${mode.name}: ${TRIALS} kills, invariants after each`, () => withSeed(`C1-1 ${mode.name}`, async (r) => {
      const root = tempDir('c1-1')
      roots.push(root)
      const script = await childScript(root, mode, ROWS, `const t0 = performance.now()\nawait api.create({ compress: mode.compress })\nprocess.stdout.write('ms ' + Math.round(performance.now() - t0) + '\\n')`)
      const expected = await datasetHash(mode, ROWS)
      // the acknowledged state: one backup whose create returned
      const first = await runChild(script)
      expect(first.stdout, first.stderr).toContain('done')
      const span = Math.max(50, Number(/ms (\d+)/.exec(first.stdout)![1]) * 1.2)
      const verified = new Set<string>()
      const violations: string[] = []
      const seen = new Set<string>()
      for (let trial = 0; trial < TRIALS; trial++) {
        const delay = Math.floor(r.next() * span)
        const run = await runChild(script, { killAfterMs: delay })
        totals.kills++
        if (!run.killed) totals.completedBeforeKill++
        const check = await checkAfterCrash(mode, root, expected, verified, `${mode.name} trial ${trial} (kill at ${delay} ms)`)
        violations.push(...check.violations)
        totals.incompleteAccepted += check.violations.filter((v) => /does not verify|has status|not a Completed|differs/.test(v)).length
        totals.dangling += check.violations.filter((v) => v.includes('dangling')).length
        if (check.restored) totals.restores += check.violations.length === 0 ? 1 : 0
        for (const o of check.orphans) seen.add(o)
        if (check.tornLock) totals.tornLocks++
      }
      // a backup that runs to completion sweeps every staging leftover
      const last = await runChild(script)
      expect(last.stdout, last.stderr).toContain('done')
      const left = stagingDirs(root, mode)
      expect(left).toEqual([])
      totals.orphansSwept += [...seen].length
      expect(violations).toEqual([])
    }), 240_000)
  }
})
