import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import { createBackup } from '../../runtime/engine/api.js'
import { loadRegistry } from '../codec/load.js'
import { fixture } from '../helpers.js'
import { dump, engine, mediaRows } from './setup.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const MEDIA = 'src.entities.Media'
const dirs: string[] = []
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

/** The codec fixture with Media's source edited, bundled through the plugin. */
async function changed(edit: (source: string) => string) {
  const dir = mkdtempSync(join(fixture('..'), '.tmp-drift-'))
  dirs.push(dir)
  cpSync(fixture('codec'), dir, { recursive: true })
  const file = join(dir, 'src/entities.ts')
  writeFileSync(file, edit(readFileSync(file, 'utf8')))
  return loadRegistry(`../${dir.split('/').pop()}`, ['./src/entities.ts'])
}

async function backupOfMedia() {
  const e = await engine()
  dirs.push(e.path)
  const codec = e.m.codecs[MEDIA]!
  await (await e.store.collection(descriptorOf(codec))).upsert(mediaRows(e.m, 20))
  await e.backup.Media!.create()
  return e
}

describe('schema drift', () => {
  it('a compatible change (a new optional field) is reported in words and the restore proceeds', async () => {
    const e = await backupOfMedia()
    const m = await changed((s) => s.replace("  tags: string[] = []\n}", "  tags: string[] = []\n  subtitle?: string\n}"))
    const warnings: string[] = []
    const backup = createBackup({ registry: m.registry, codecs: m.codecs, classes: { [MEDIA]: m.Media }, config: { data: memoryStore(), path: e.path, logger: { info: () => {}, warn: (w) => warnings.push(w) } } })
    const result = await backup.entity('Media').restore()
    expect(result.inserted).toBe(20)
    expect(result.schemaChanges).toEqual(['added field subtitle: string (optional)'])
    expect(warnings.join('\n')).toMatch(/was taken with another schema: added field subtitle/)
  })

  it('an incompatible change (a field type changed) is refused before any write, naming the row and field', async () => {
    const e = await backupOfMedia()
    const m = await changed((s) => s.replace('  views = 0\n', "  views = ''\n"))
    const store = memoryStore()
    const backup = createBackup({ registry: m.registry, codecs: m.codecs, classes: { [MEDIA]: m.Media }, config: { data: store, path: e.path, logger: false } })
    const error = await backup.entity('Media').restore().catch((x) => x)
    expect(error.details.failures[0].code).toBe('ROW_INVALID')
    expect(error.message).toMatch(/row 0 \(id "m0"\): field views: expected string, found number 0/)
    expect(await dump(store, m, MEDIA)).toEqual([])
  })
})

describe('constraints and transactions', () => {
  it('the constraint manager is re-enabled even when the apply fails, and a transactional store keeps nothing of a failed restore', async () => {
    const e = await backupOfMedia()
    const calls: string[] = []
    const inner = memoryStore()
    let batches = 0
    const store = {
      kind: 'memory+constraints',
      async collection(d: Parameters<typeof inner.collection>[0]) {
        const c = await inner.collection(d)
        return {
          ...c, capabilities: c.capabilities,
          stream: c.stream.bind(c), get: c.get.bind(c), existing: c.existing.bind(c), count: c.count.bind(c), transaction: c.transaction!.bind(c),
          upsert: async (rows: unknown[]) => {
            if (++batches === 2) throw new Error('constraint violation on batch 2')
            return c.upsert(rows)
          },
          // a restore writes its validated rows in their stored form where the store takes them so
          upsertStored: async (rows: Array<Record<string, unknown>>, texts?: string[]) => {
            if (++batches === 2) throw new Error('constraint violation on batch 2')
            return c.upsertStored!(rows, texts)
          },
          insertNewStored: async (rows: Array<Record<string, unknown>>, texts?: string[]) => {
            if (++batches === 2) throw new Error('constraint violation on batch 2')
            return c.insertNewStored!(rows, texts)
          },
          // and as ids and texts where the store keeps rows as JSON text (the memory store)
          upsertTexts: async (ids: Array<string | number>, texts: string[]) => {
            if (++batches === 2) throw new Error('constraint violation on batch 2')
            return c.upsertTexts!(ids, texts)
          },
          insertNewTexts: async (ids: Array<string | number>, texts: string[]) => {
            if (++batches === 2) throw new Error('constraint violation on batch 2')
            return c.insertNewTexts!(ids, texts)
          },
          disableConstraints: async () => void calls.push('disable'),
          enableConstraints: async () => void calls.push('enable'),
        }
      },
    }
    const target = await engine({ path: e.path, store, config: { batchSize: 5 } })
    const error = await target.backup.Media!.restore().catch((x) => x)
    expect(error.message).toMatch(/constraint violation on batch 2/)
    expect(calls).toEqual(['disable', 'enable'])
    expect(await dump(inner, e.m, MEDIA)).toEqual([])
  })
})
