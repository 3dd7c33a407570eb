import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as tar from 'tar'
import { afterEach, describe, expect, it } from 'vitest'
import { fileHeader, tarArchive, type TarEntry } from '../../runtime/web/tar.js'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function entry(path: string, bytes: Buffer, chunk = 1000): TarEntry {
  return {
    path, size: bytes.length, mtimeMs: 1_700_000_000_000,
    async *read() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk)
    },
  }
}

async function extract(entries: TarEntry[]) {
  const dir = mkdtempSync(join(tmpdir(), 'kb-tar-'))
  dirs.push(dir)
  const listed: Array<{ path: string; size: number; type: string }> = []
  await pipeline(Readable.from(tarArchive(entries)), tar.x({ cwd: dir, strict: true, onReadEntry: (e) => listed.push({ path: e.path, size: e.size ?? 0, type: e.type }) }))
  return { dir, listed }
}

describe('the ustar writer', () => {
  it('files of sizes around the block boundary read back byte for byte with node-tar (strict mode)', async () => {
    const sizes = [0, 1, 511, 512, 513, 1024, 70_000]
    const files = sizes.map((n, i) => ({ path: `a/b/file-${i}.bin`, bytes: Buffer.from(Array.from({ length: n }, (_, k) => (k * 31 + i) & 0xff)) }))
    const { dir, listed } = await extract(files.map((f) => entry(f.path, f.bytes)))
    expect(listed.map((l) => [l.path, l.size, l.type])).toEqual(files.map((f) => [f.path, f.bytes.length, 'File']))
    for (const f of files) expect(readFileSync(join(dir, f.path)).equals(f.bytes)).toBe(true)
  })

  it('a path over 100 bytes uses the ustar prefix; one that cannot be split gets a PAX path record', async () => {
    const long = `${'d'.repeat(120)}/${'n'.repeat(90)}.json`
    const unsplittable = `x/${'é'.repeat(80)}.bin` // 160+ bytes in one segment
    const { dir, listed } = await extract([entry(long, Buffer.from('one')), entry(unsplittable, Buffer.from('two'))])
    expect(listed.map((l) => l.path)).toEqual([long, unsplittable])
    expect(readFileSync(join(dir, long), 'utf8')).toBe('one')
    expect(readFileSync(join(dir, unsplittable), 'utf8')).toBe('two')
    expect(fileHeader(long, 3, 0)).toHaveLength(1)
    expect(fileHeader(unsplittable, 3, 0)).toHaveLength(3)
  })

  it('header checksums are what tar readers compute', () => {
    const [h] = fileHeader('metadata.json', 1234, 1_700_000_000_000)
    const stored = parseInt(Buffer.from(h!.subarray(148, 156)).toString('latin1'), 8)
    const copy = Uint8Array.from(h!)
    copy.fill(0x20, 148, 156)
    expect(stored).toBe(copy.reduce((a, b) => a + b, 0))
    expect(Buffer.from(h!.subarray(257, 263)).toString('latin1')).toBe('ustar\0')
  })

  it('sizes of 8 GiB and more use the base-256 size field', () => {
    const [h] = fileHeader('big.bin', 2 ** 34, 0)
    expect(h![124]).toBe(0x80)
    let size = 0n
    for (let i = 125; i < 136; i++) size = (size << 8n) | BigInt(h![i]!)
    expect(size).toBe(2n ** 34n)
  })

  it('refuses entry paths that climb out, are absolute or have empty segments', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a//b', './a']) {
      await expect(extract([entry(bad, Buffer.from('x'))])).rejects.toThrow(/refusing the entry path/)
    }
  })

  it('a file yielding fewer or more bytes than declared fails the archive', async () => {
    const short: TarEntry = { path: 'a', size: 10, mtimeMs: 0, async *read() { yield Buffer.alloc(5) } }
    const long: TarEntry = { path: 'b', size: 2, mtimeMs: 0, async *read() { yield Buffer.alloc(5) } }
    await expect(extract([short])).rejects.toThrow(/has 5 bytes, 10 declared/)
    await expect(extract([long])).rejects.toThrow(/longer than its declared 2 bytes/)
  })

  it('is lazy: the next file is not read before the consumer has taken the previous one', async () => {
    const reads: string[] = []
    const lazy = (path: string): TarEntry => ({ path, size: 3, mtimeMs: 0, async *read() { reads.push(path); yield Buffer.from('abc') } })
    const it = tarArchive([lazy('one'), lazy('two')])
    await it.next() // header of one
    expect(reads).toEqual([])
    await it.next() // data of one
    expect(reads).toEqual(['one'])
    await it.return(undefined)
    expect(reads).toEqual(['one'])
  })
})
