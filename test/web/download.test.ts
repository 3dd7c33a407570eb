import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as tar from 'tar'
import { afterEach, describe, expect, it } from 'vitest'
import { CANARY, MEDIA, request, sandbox, within, type Sandbox } from './setup.js'

let s: Sandbox
const dirs: string[] = []
afterEach(() => {
  s?.cleanup()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Downloads and extracts with node-tar (strict), returning the listing and the folder. */
async function downloadAndExtract(path: string) {
  const res = await s.handler(request(path))
  expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200)
  const dir = mkdtempSync(join(tmpdir(), 'kb-dl-'))
  dirs.push(dir)
  const entries: Array<{ path: string; type: string; size: number }> = []
  await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir, strict: true, onReadEntry: (e) => entries.push({ path: e.path, type: e.type, size: e.size ?? 0 }) }))
  return { res, dir, entries }
}

describe('GET {Entity}/{ts}/download', () => {
  it('a .tar.gz of metadata.json and the listed files: read back with node-tar, bytes and SHA-256 equal the metadata', async () => {
    s = await sandbox({ vectors: true, rows: 300 })
    const { timestamp } = await s.backup.entity('Media').create()
    const { res, dir, entries } = await downloadAndExtract(`/backup/Media/${timestamp}/download`)
    expect(res.headers.get('content-type')).toBe('application/gzip')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${MEDIA}-${timestamp}.tar.gz"; filename*=UTF-8''${MEDIA}-${timestamp}.tar.gz`)
    const folder = `${MEDIA}/${timestamp}`
    const metadata = JSON.parse(readFileSync(join(s.root, folder, 'metadata.json'), 'utf8'))
    const names = ['metadata.json', ...metadata.files.map((f: { name: string }) => f.name)]
    expect(names).toContain('vectors/text-embedding-3-small/vectors.kbv')
    expect(entries).toEqual(names.map((n) => ({ path: `${folder}/${n}`, type: 'File', size: readFileSync(join(s.root, folder, n)).length })))
    for (const f of metadata.files) {
      const bytes = readFileSync(join(dir, folder, f.name))
      expect(bytes.length).toBe(f.size)
      expect(sha256(bytes)).toBe(f.sha256)
    }
    expect(readFileSync(join(dir, folder, 'metadata.json')).equals(readFileSync(join(s.root, folder, 'metadata.json')))).toBe(true)
  })

  it('`latest` downloads the newest Completed backup, named by its real timestamp', async () => {
    s = await sandbox()
    await s.backup.entity('Media').create()
    const second = await s.backup.entity('Media').create()
    const listing: string[] = []
    const res = await s.handler(request('/backup/src.entities.Media/latest/download'))
    expect(res.headers.get('content-disposition')).toContain(second.timestamp)
    await pipeline(Readable.fromWeb(res.body as never), tar.t({ onReadEntry: (e) => listing.push(e.path) }))
    expect(listing).toEqual([`${MEDIA}/${second.timestamp}/metadata.json`, `${MEDIA}/${second.timestamp}/data.json.gz`])
  })

  it('streams with backpressure: while the client does not read, the server reads only a bounded amount from disk', async () => {
    s = await sandbox({ rows: 20_000 })
    const { timestamp } = await s.backup.entity('Media').create({ compress: false })
    const size = JSON.parse(readFileSync(join(s.root, MEDIA, timestamp, 'metadata.json'), 'utf8')).files[0].size as number
    expect(size).toBeGreaterThan(2_000_000)
    s.spy.handles.bytesRead = 0
    s.spy.handles.opened = 0
    s.spy.handles.closed = 0
    const res = await s.handler(request(`/backup/Media/${timestamp}/download`))
    const reader = res.body!.getReader()
    for (let i = 0; i < 3; i++) await reader.read()
    // wait (bounded) until the server has filled its buffers and stopped reading
    let idleRead = -1
    for (let waited = 0; waited < 5000 && s.spy.handles.bytesRead !== idleRead; waited += 200) {
      idleRead = s.spy.handles.bytesRead
      await new Promise((r) => setTimeout(r, 200))
    }
    await new Promise((r) => setTimeout(r, 300))
    console.info(`[C6 row 45] client idle after 3 gzip chunks: ${idleRead} of ${size} bytes read from disk, ${s.spy.handles.bytesRead - idleRead} more in the next 300 ms`)
    // reading stops while the client does not read (about 3 × 16 KiB of gzip output ≈ 10 × that of JSON, plus 64 KiB of tar buffer)
    expect(idleRead).toBeGreaterThan(0)
    expect(s.spy.handles.bytesRead).toBe(idleRead)
    expect(idleRead).toBeLessThan(size / 4)
    // a client that goes away: the files are closed, nothing more is read
    const { opened } = s.spy.handles
    expect(opened).toBe(2) // metadata.json and data.json
    await reader.cancel()
    for (let waited = 0; waited < 5000 && s.spy.handles.closed < 2; waited += 25) await new Promise((r) => setTimeout(r, 25))
    expect(s.spy.handles.closed).toBe(2)
    expect(s.spy.handles.bytesRead).toBeLessThan(size)
  })

  it('a Failed backup is 422 NOT_RESTORABLE, an unknown one 404', async () => {
    s = await sandbox()
    s.spy.fail = (op, path) => (op === 'open' && path.endsWith('data.json.gz') ? Object.assign(new Error('EIO'), { code: 'EIO' }) : undefined)
    await expect(s.backup.entity('Media').create()).rejects.toThrow()
    s.spy.fail = null
    const [failed] = await s.backup.entity('Media').list()
    const r = await s.handler(request(`/backup/Media/${failed!.timestamp}/download`))
    expect(r.status).toBe(422)
    expect((await r.json()).error.code).toBe('NOT_RESTORABLE')
    expect((await s.handler(request('/backup/Media/2020-01-01T00-00-00Z/download'))).status).toBe(404)
  })
})

describe('C6 row 39: links planted in the backup tree are never followed', () => {
  async function planted() {
    s = await sandbox()
    const { timestamp } = await s.backup.entity('Media').create({ compress: false })
    return { timestamp, folder: join(s.root, MEDIA, timestamp) }
  }

  async function refusedWithoutCanary(path: string) {
    const res = await s.handler(request(path))
    const body = Buffer.from(await res.arrayBuffer()).toString('latin1')
    expect(res.status, body).toBe(422)
    expect(JSON.parse(body).error.code).toBe('CORRUPT')
    expect(body).not.toContain(CANARY)
    expect(body).not.toContain(s.root)
    return JSON.parse(body).error.message as string
  }

  it('data.json → a secret outside the root (same size as the metadata says): refused, 0 canary bytes served', async () => {
    const { timestamp, folder } = await planted()
    const size = readFileSync(join(folder, 'data.json')).length
    writeFileSync(s.canaryFile, `${CANARY}\n`.padEnd(size, 'x'))
    rmSync(join(folder, 'data.json'))
    symlinkSync(s.canaryFile, join(folder, 'data.json'))
    expect(await refusedWithoutCanary(`/backup/Media/${timestamp}/download`)).toMatch(/data\.json is not a regular file \(links are never followed\)/)
  })

  it('the backup folder itself → a folder outside the root: refused', async () => {
    const { timestamp, folder } = await planted()
    const outside = join(s.dir, 'outside')
    renameSync(folder, outside)
    writeFileSync(join(outside, 'data.json'), CANARY)
    symlinkSync(outside, folder)
    expect(await refusedWithoutCanary(`/backup/Media/${timestamp}/download`)).toMatch(/link or not a folder/)
  })

  it('vectors/<model> → a folder outside the root: refused', async () => {
    s = await sandbox({ vectors: true })
    const { timestamp } = await s.backup.entity('Media').create()
    const model = join(s.root, MEDIA, timestamp, 'vectors', 'text-embedding-3-small')
    const outside = join(s.dir, 'vectors-outside')
    renameSync(model, outside)
    writeFileSync(join(outside, 'vectors.kbv'), CANARY)
    symlinkSync(outside, model)
    expect(await refusedWithoutCanary(`/backup/Media/${timestamp}/download`)).toMatch(/link or not a folder/)
  })

  it('metadata.json → a secret: not served by download, info or list', async () => {
    const { timestamp, folder } = await planted()
    rmSync(join(folder, 'metadata.json'))
    symlinkSync(s.canaryFile, join(folder, 'metadata.json'))
    const dl = await s.handler(request(`/backup/Media/${timestamp}/download`))
    const bodies = [await dl.text()]
    for (const p of [`/backup/Media/${timestamp}/info`, '/backup/Media']) bodies.push(await (await s.handler(request(p))).text())
    expect(dl.status).toBe(422)
    for (const b of bodies) expect(b).not.toContain(CANARY.slice(0, 6))
  })

  it('`latest` → /etc: the link is not followed; the download of latest falls back to the newest Completed backup', async () => {
    const { timestamp } = await planted()
    rmSync(join(s.root, MEDIA, 'latest'))
    symlinkSync('/etc', join(s.root, MEDIA, 'latest'))
    const res = await s.handler(request('/backup/Media/latest/download'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toContain(timestamp)
    await res.arrayBuffer()
  })
})
