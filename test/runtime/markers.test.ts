import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { defineBackupScope, EntityBackup, getEntityBackupOptions } from '../../runtime/index.js'
import { fixture } from '../helpers.js'

/** Bundles a decorator-flavour fixture without the plugin and imports it, so the markers really run. */
async function load(flavour: 'tc39' | 'legacy'): Promise<Record<string, unknown>> {
  const root = fixture(`decorator-flavours/${flavour}`)
  const out = await build({
    stdin: { contents: "export * from './src/models.ts'\nexport { getEntityBackupOptions } from 'koan-backup'\n", resolveDir: root, loader: 'ts' },
    bundle: true, write: false, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
    alias: { 'koan-backup': fixture('../../runtime/index.ts') },
    tsconfigRaw: { compilerOptions: { experimentalDecorators: flavour === 'legacy' } },
  })
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`)
}

describe('runtime markers without the plugin', () => {
  for (const flavour of ['tc39', 'legacy'] as const) {
    it(`@EntityBackup is a harmless marker under ${flavour} decorators (called and bare)`, async () => {
      const mod = await load(flavour)
      const get = mod.getEntityBackupOptions as typeof getEntityBackupOptions
      const Secret = mod.Secret as new () => { value: string }
      expect(new Secret().value).toBe('')
      expect(get(Secret)).toEqual({ encrypt: true })
      expect(get(mod.Bare as object)).toEqual({})
    })
  }

  it('guards Symbol.metadata (absent on Node 20) and writes it when present', () => {
    class A {}
    const metadata: Record<PropertyKey, unknown> = {}
    const hadSymbol = 'metadata' in Symbol
    if (!hadSymbol) Object.defineProperty(Symbol, 'metadata', { value: Symbol('Symbol.metadata'), configurable: true })
    try {
      EntityBackup({ encrypt: true })(A, { kind: 'class', metadata })
      expect(metadata['koan-backup']).toEqual({ encrypt: true })
    } finally {
      if (!hadSymbol) delete (Symbol as { metadata?: symbol }).metadata
    }
    class B {}
    expect(() => EntityBackup()(B, { kind: 'class' })).not.toThrow()
  })

  it('defineBackupScope returns its options and refuses a bad mode', () => {
    expect(defineBackupScope({ mode: 'all', encryptByDefault: true })).toEqual({ mode: 'all', encryptByDefault: true })
    expect(() => defineBackupScope({ mode: 'some' as never })).toThrow("`mode` must be 'all' or 'none'")
  })
})

describe('koan-backup/registry without the plugin', () => {
  it('the import fails with a message saying how to add the plugin', async () => {
    await expect(import('koan-backup/registry')).rejects.toThrow(/generated at build time by the koan-backup plugin.*koan-backup\/plugin\/vite/)
  })
})
