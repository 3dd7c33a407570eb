import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { realFs } from '../../runtime/engine/fs.js'
import { acquireLock } from '../../runtime/engine/lock.js'

const dir = mkdtempSync(join(tmpdir(), 'kb-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A file system whose writeFile writes a few bytes, then fails with ENOSPC. */
const diskFull: BackupFs = {
  ...realFs,
  async open(path, flags, mode) {
    const handle = await realFs.open(path, flags, mode)
    const writeFile = handle.writeFile.bind(handle)
    handle.writeFile = async (data) => {
      await writeFile(Buffer.from(data as string).subarray(0, 7))
      throw Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' })
    }
    return handle
  },
}

describe('lock files', () => {
  it('a lock whose file cannot be written (disk full) is removed: the next operation takes the lock at once', async () => {
    const file = join(dir, 'entity.lock')
    await expect(acquireLock(diskFull, file, 'backup')).rejects.toThrow(/ENOSPC/)
    expect(existsSync(file)).toBe(false)
    const lock = await acquireLock(realFs, file, 'restore')
    expect(existsSync(file)).toBe(true)
    await expect(acquireLock(realFs, file, 'backup', { what: 'the entity' })).rejects.toThrow(/locked by restore/)
    await lock.release()
    expect(existsSync(file)).toBe(false)
  })
})
