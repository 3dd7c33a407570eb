import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BackupRegistry } from '../../runtime/types.js'

/** A fresh copy of the module: its entries are shared per process, so reading the file back needs a new one. */
async function freshCache() {
  vi.resetModules()
  return (await import('../../plugin/core/scan/result-cache.js')).ResultCache
}

const saved = () => new Promise((done) => setImmediate(done))

describe('results cache file', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('reads back the registry and texts with characters of every width (offsets are bytes)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'koan-results-'))
    const file = join(dir, 'facts.results.json')
    const registry = {
      formatVersion: 1, tool: 'koan-backup@test', defaultScope: { mode: 'none', encryptByDefault: false },
      entities: [{ name: 'Crème', fullName: 'src.crème.Crème', file: 'src/crème.ts', line: 1, column: 1, status: 'uncovered' }],
      scopes: [], shapes: [], diagnostics: [{ code: 'KB001', severity: 'warning', message: 'Crème ☕ 😀 is not covered', file: 'src/crème.ts', line: 1, column: 1 }],
    } as unknown as BackupRegistry
    const Writer = await freshCache()
    const writer = new Writer(file, dir)
    writer.setRegistry('k', registry, { resolutions: [['/x\0./a', '/x/a.ts']], edits: { '/x/é.ts': { strip: [[1, 2]], registryOnly: [] } }, closure: { extras: ['/y/ü.ts'], missing: ['/y/ü.tsx'], links: [['/y/node_modules/@a/m', '/y/m', 'a1']] } })
    writer.setText('k', 'module', "export const x = 'ü😀'\n")
    writer.setText('k', 'report', 'plain text')
    await saved()

    const Reader = await freshCache()
    const reader = new Reader(file, dir)
    const scan = reader.scan('k')!
    expect(scan.diagnostics).toEqual(registry.diagnostics)
    expect(scan.edits).toEqual({ '/x/é.ts': { strip: [[1, 2]], registryOnly: [] } })
    expect(scan.closure).toEqual({ extras: ['/y/ü.ts'], missing: ['/y/ü.tsx'], links: [['/y/node_modules/@a/m', '/y/m', 'a1']] })
    expect(reader.latestClosure()).toEqual({ extras: ['/y/ü.ts'], missing: ['/y/ü.tsx'], links: [['/y/node_modules/@a/m', '/y/m', 'a1']] })
    expect(reader.text('k', 'report')).toBe('plain text')
    expect(reader.text('k', 'module')).toBe("export const x = 'ü😀'\n")
    expect(reader.text('k', 'other')).toBeUndefined()
    expect(scan.registry()).toEqual(registry)
    expect(Object.isFrozen(scan.registry().entities[0])).toBe(true)
    expect(reader.scan('other')).toBeUndefined()
  })

  it('a truncated or foreign file is only a slower build', async () => {
    dir = mkdtempSync(join(tmpdir(), 'koan-results-'))
    const file = join(dir, 'facts.results.json')
    const Writer = await freshCache()
    const writer = new Writer(file, dir)
    writer.setRegistry('k', { diagnostics: [] } as unknown as BackupRegistry, { resolutions: [], edits: {}, closure: { extras: [], missing: [], links: [] } })
    writer.setText('k', 'module', 'x'.repeat(1000))
    await saved()
    const { readFileSync } = await import('node:fs')
    const whole = readFileSync(file)
    writeFileSync(file, whole.subarray(0, whole.length - 10))
    expect(new (await freshCache())(file, dir).scan('k')).toBeUndefined()
    writeFileSync(file, '{"tool":"another"}\nxyz')
    expect(new (await freshCache())(file, dir).scan('k')).toBeUndefined()
  })
})
