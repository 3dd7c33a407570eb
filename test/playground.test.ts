import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { fixture } from './helpers.js'

const RUN = fixture('../../playground/run.mjs')

describe('playground (npm run playground)', () => {
  for (const bundler of ['vite', 'esbuild']) {
    it(`builds with ${bundler} through the plugin, shows the located warning, and runs`, () => {
      const r = spawnSync(process.execPath, [RUN, ...(bundler === 'esbuild' ? ['--esbuild'] : [])], { encoding: 'utf8' })
      const output = r.stdout + r.stderr
      expect(r.status, output).toBe(0)
      expect(output).toContain('src/entities/draft.ts:4:14 KB001 entity Draft has no backup coverage')
      expect(output).toContain('User → encrypt=true, schema=true')
      expect(output).toContain('playground: 5 entities scanned, 3 backed up (LogEntry, Media, User); restored data identical to the original')
      expect(output).toMatch(/src\.entities\.user\.User: 25 rows, \d+ bytes, encrypted/)
      expect(output).toContain('restore: 545 rows inserted, 0 skipped')
      // the boot report is printed once
      expect(output.split('[koan-backup] inventory:').length - 1).toBe(2)
    })
  }
})
