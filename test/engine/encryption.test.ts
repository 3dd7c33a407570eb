import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isBackupError } from '../../runtime/errors.js'
import { cleanup, dump, engine } from './setup.js'
import { backupFiles, flipBit, rewriteMetadata } from './tamper.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

const ACCOUNT = 'src.entities.Account'
const key = (n: number) => `base64:${Buffer.alloc(32, n).toString('base64')}`
const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) cleanup(r) })

const CANARY = 'canary-7f3a9-secret@example.com'

async function accounts(keys: Record<string, string> | undefined, n = 200, path?: string) {
  const e = await engine({ ...(path ? { path } : {}), config: keys ? { encryption: { keys } } : {} })
  roots.push(e.path)
  const codec = e.m.codecs[ACCOUNT]!
  const c = await e.store.collection(descriptorOf(codec))
  const Account = e.m.Account as new () => object
  await c.upsert(Array.from({ length: n }, (_, i) => Object.assign(new Account(), { id: `a${i}`, email: `${CANARY}-${i}`, balance: BigInt(i) * 10n ** 18n, openedAt: new Date(i * 1e6) })))
  return e
}

function grepCanary(root: string): number {
  let hits = 0
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name)
      if (d.isDirectory()) walk(p)
      else if (readFileSync(p).includes(CANARY)) hits++
    }
  }
  walk(root)
  return hits
}

describe('encrypted backups', () => {
  for (const compress of [true, false]) {
    it(`round trip ${compress ? 'gzip+encrypted' : 'encrypted'}; no plaintext on disk; key id in metadata`, async () => {
      const e = await accounts({ k1: key(1) })
      const r = await e.backup.entity('Account').create({ compress })
      expect(r.encrypted).toBe(true)
      expect(grepCanary(e.path)).toBe(0)
      const f = backupFiles(e.path, ACCOUNT, r.timestamp)
      expect(f.metadata.encryption).toMatchObject({ keyId: 'k1', format: 'KBE1' })
      expect(readFileSync(f.dataFile).subarray(0, 4).toString('latin1')).toBe('KBE1')
      const target = await engine({ path: e.path, config: { encryption: { keys: { k1: key(1) } } } })
      const result = await target.backup.entity('Account').restore()
      expect(result.inserted).toBe(200)
      expect(await dump(target.store, e.m, ACCOUNT)).toStrictEqual(await dump(e.store, e.m, ACCOUNT))
    })
  }

  it('encrypt: true without a key fails the backup (never a plaintext fallback)', async () => {
    const e = await accounts(undefined)
    await expect(e.backup.entity('Account').create()).rejects.toThrow(/no encryption key is configured/)
    expect(grepCanary(e.path)).toBe(0)
    const list = await e.backup.entity('Account').list()
    expect(list.map((b) => b.status)).toEqual(['Failed'])
  })

  it('a wrong key is refused as "wrong key" before anything is written', async () => {
    const e = await accounts({ k1: key(1) })
    await e.backup.entity('Account').create()
    const target = await engine({ path: e.path, config: { encryption: { keys: { k1: key(2) } } } })
    const error = await target.backup.entity('Account').restore().catch((x) => x)
    expect(isBackupError(error)).toBe(true)
    expect(error.details.failures[0].code).toBe('WRONG_KEY')
    expect(error.message).toMatch(/wrong key/)
    expect(await dump(target.store, e.m, ACCOUNT)).toEqual([])
  })

  it('a missing key id is refused', async () => {
    const e = await accounts({ old: key(1) })
    await e.backup.entity('Account').create()
    const target = await engine({ path: e.path, config: { encryption: { keys: { new: key(3) } } } })
    const error = await target.backup.entity('Account').restore().catch((x) => x)
    expect(error.details.failures[0].code).toBe('MISSING_KEY')
    expect(await dump(target.store, e.m, ACCOUNT)).toEqual([])
  })

  it('key rotation: a backup written with k1 restores when k2 is current and k1 is still listed', async () => {
    const e = await accounts({ k1: key(1) })
    await e.backup.entity('Account').create()
    const target = await engine({ path: e.path, config: { encryption: { keys: { k1: key(1), k2: key(2) }, current: 'k2' } } })
    expect((await target.backup.entity('Account').restore()).inserted).toBe(200)
  })

  it('a tampered last chunk (tag) is refused by the checksum, and by the cipher when re-hashed', async () => {
    const e = await accounts({ k1: key(1) }, 3000)
    const r = await e.backup.entity('Account').create({ compress: false })
    const f = backupFiles(e.path, ACCOUNT, r.timestamp)
    const size = readFileSync(f.dataFile).length
    flipBit(f.dataFile, size - 3)
    const target = await engine({ path: e.path, config: { encryption: { keys: { k1: key(1) } } } })
    let error = await target.backup.entity('Account').restore().catch((x) => x)
    expect(error.details.failures[0].code).toBe('CORRUPT')
    // the same damage with a checksum recomputed (a buggy writer): the authentication tag refuses it
    const { createHash } = await import('node:crypto')
    const bytes = readFileSync(f.dataFile)
    rewriteMetadata(e.path, ACCOUNT, r.timestamp, (m) => { m.files[0].sha256 = createHash('sha256').update(bytes).digest('hex') })
    error = await target.backup.entity('Account').restore().catch((x) => x)
    expect(error.details.failures[0].code).toBe('CORRUPT')
    expect(error.message).toMatch(/authentication failed/)
    expect(await dump(target.store, e.m, ACCOUNT)).toEqual([])
  })

  it('an unencrypted file substituted for an encrypted entity is refused', async () => {
    const e = await accounts({ k1: key(1) }, 5)
    const r = await e.backup.entity('Account').create()
    rewriteMetadata(e.path, ACCOUNT, r.timestamp, (m) => { m.files[0].encrypted = false })
    const target = await engine({ path: e.path, config: { encryption: { keys: { k1: key(1) } } } })
    const error = await target.backup.entity('Account').restore().catch((x) => x)
    expect(error.details.failures[0].code).toBe('NOT_RESTORABLE')
    expect(await dump(target.store, e.m, ACCOUNT)).toEqual([])
  })
})
