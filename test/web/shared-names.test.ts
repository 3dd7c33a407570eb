import { afterAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../runtime/adapters/data/memory.js'
import { createBackup } from '../../runtime/engine/api.js'
import { createBackupHandler } from '../../runtime/web/index.js'
import { loadRegistry } from '../codec/load.js'
import { cleanup, tempRoot } from '../engine/setup.js'

// two included entities share the class name `Media` (src/catalog and src/legacy)
const CATALOG = 'src.catalog.media.Media'
const LEGACY = 'src.legacy.media.Media'
const TOKEN = 'test-token-0123456789abcdef'
const root = tempRoot()
afterAll(() => cleanup(root))

describe('entities that share a class name', () => {
  it('capabilities keys each by its full name; both are reachable by full name, the shared class name by neither', async () => {
    const m = await loadRegistry('names')
    const backup = createBackup({ registry: m.registry, codecs: m.codecs, classes: {}, config: { data: memoryStore(), path: root, logger: false } })
    expect(Object.keys(backup.capabilities().entities).sort()).toEqual([CATALOG, LEGACY])
    const handler = createBackupHandler(backup, { token: TOKEN })
    const get = (path: string) => handler(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${TOKEN}`, host: 'localhost' } }))
    for (const full of [CATALOG, LEGACY]) {
      const res = await get(`/backup/${full}`)
      expect(res.status).toBe(200)
      expect((await res.json()).entity).toBe(full)
    }
    const ambiguous = await get('/backup/Media')
    expect(ambiguous.status).toBe(404)
    expect((await ambiguous.json()).error.code).toBe('UNKNOWN_ENTITY')
  })
})
