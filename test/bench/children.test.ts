/**
 * The scan benchmark's child modes call the plugin's internal modules (dist/) directly, which no type check sees.
 * Each mode is run once on a small generated project, so a changed internal signature fails here and not halfway
 * through a 15-minute benchmark run.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectFiles } from '../../bench/projects.mjs'

const SCRIPT = fileURLToPath(new URL('../../bench/scan.mjs', import.meta.url))
const ENTITY_FILES = 20

let dir = ''

function child(...args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [SCRIPT, '--child', ...args], { encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0) throw new Error(`--child ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

beforeAll(() => {
  // inside the repository, as the benchmark's own projects are (bench/.tmp/pN): `koan-backup` resolves to this
  // package, and the children read the project's size from the folder's name
  dir = join(mkdtempSync(fileURLToPath(new URL('../.tmp-bench-', import.meta.url))), `p${ENTITY_FILES}`)
  for (const { rel, text } of projectFiles(ENTITY_FILES)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
})
afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }))

describe('scan benchmark child modes', () => {
  it('scan: cold with re-scans, then warm from the cache file an earlier warm child wrote', () => {
    const cold = child('scan', dir, 'cold', '--rescan', '2')
    expect(cold.entities).toBeGreaterThan(0)
    expect(cold.parsed).toBeGreaterThan(0)
    expect((cold.rescan as { ok: boolean }).ok).toBe(true)
    expect((cold.watchUpdate as { ok: boolean }).ok).toBe(true)
    // the first warm child writes the cache file, the second reads it and parses nothing
    child('scan', dir, 'warm')
    const warm = child('scan', dir, 'warm')
    expect(warm.cacheExisted).toBe(true)
    expect(warm.parsed).toBe(0)
    expect(warm.entities).toBe(cold.entities)
  })

  it('phases, cold and warm', () => {
    const cold = child('phases', dir, 'cold')
    for (const step of ['loadTsconfig', 'readFiles', 'parse', 'link', 'generate', 'cacheSave', 'linkWarm']) expect(typeof cold[step], step).toBe('number')
    const warm = child('phases', dir, 'warm')
    expect(warm.cacheMisses).toBe(0)
    expect(typeof warm.cacheLoad).toBe('number')
  })

  it('vite, with and without the plugin', () => {
    const without = child('vite', dir, 'without')
    const warm = child('vite', dir, 'warm')
    expect(warm.decoratorsLeft).toBe(0)
    expect(warm.registryEntities).toBeGreaterThan(0)
    expect(without.buildMs).toEqual(expect.any(Number))
  })
})
