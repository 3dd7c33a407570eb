/**
 * C1-2: kill -9 at every named crash point (`KOAN_CRASHPOINT`, runtime/engine/fs.ts) in the four
 * modes. After each crash the invariants of c1-support hold; the next complete backup sweeps the
 * leftovers, and manifest.json then lists exactly the Completed backup folders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkAfterCrash, datasetHash, stagingDirs } from './c1-support.js'
import { childScript, figure, MODES, removeDir, runChild, tempDir, withSeed, type Mode } from './harness.js'

/** In write order: the referencing object is written after what it references. */
const POINTS = ['after-data', 'before-data-fsync', 'after-metadata', 'before-rename', 'after-rename', 'after-manifest', 'mid-retention'] as const
const ROWS = 3000
const results = { cases: 0, hold: 0 }
const roots: string[] = []
afterAll(() => {
  for (const r of roots) removeDir(r)
  figure('C1-2', `${POINTS.length} points × ${MODES.length} modes: ${results.hold}/${results.cases} invariants hold`)
})

/** manifest.json entries of the entity vs its Completed folders (after a clean run they are equal). */
function manifestMismatch(root: string, mode: Mode): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { backups: Array<{ entity: string; timestamp: string; status: string }> }
  const listed = manifest.backups.filter((b) => b.entity === mode.fullName && b.status === 'Completed').map((b) => b.timestamp).sort()
  const dir = join(root, mode.fullName)
  const folders = readdirSync(dir).filter((n) => /^\d{4}-/.test(n) && existsSync(join(dir, n, 'metadata.json')) &&
    JSON.parse(readFileSync(join(dir, n, 'metadata.json'), 'utf8')).status === 'Completed').sort()
  return JSON.stringify(listed) === JSON.stringify(folders) ? [] : [`manifest lists ${JSON.stringify(listed)}, Completed folders are ${JSON.stringify(folders)}`]
}

describe('C1-2 kill -9 at named crash points', () => {
  for (const mode of MODES) {
    it(`${mode.name}: every point`, () => withSeed(`C1-2 ${mode.name}`, async () => {
      const root = tempDir('c1-2')
      roots.push(root)
      const body = `await api.create({ compress: mode.compress })
if (process.env.KOAN_CRASHPOINT === 'mid-retention') await backup.prune({ maxBackupsPerEntity: 1, entities: [mode.entity] })`
      const script = await childScript(root, mode, ROWS, body)
      const expected = await datasetHash(mode, ROWS)
      const setup = await runChild(script)
      expect(setup.stdout, setup.stderr).toContain('done')
      const verified = new Set<string>()
      const violations: string[] = []
      for (const point of POINTS) {
        results.cases++
        const crashed = await runChild(script, { env: { KOAN_CRASHPOINT: point } })
        const found: string[] = []
        if (crashed.signal !== 'SIGKILL' || crashed.stdout.includes('done')) found.push(`${point}: the crash point did not fire (${crashed.signal ?? crashed.code}) ${crashed.stderr.slice(0, 300)}`)
        found.push(...(await checkAfterCrash(mode, root, expected, verified, `${mode.name} @${point}`)).violations)
        // restart: a complete backup sweeps what the crash left and registers or removes unlisted folders
        const next = await runChild(script)
        if (!next.stdout.includes('done')) found.push(`${point}: the backup after the crash failed: ${next.stderr.slice(0, 300)}`)
        if (stagingDirs(root, mode).length) found.push(`${point}: staging left after the next backup: ${stagingDirs(root, mode).join(', ')}`)
        found.push(...manifestMismatch(root, mode).map((m) => `${point}: ${m}`))
        if (found.length === 0) results.hold++
        violations.push(...found)
      }
      expect(violations).toEqual([])
    }), 180_000)
  }
})
