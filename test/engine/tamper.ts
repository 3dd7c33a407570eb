import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

/** Paths of one backup. */
export function backupFiles(root: string, entity: string, ts: string) {
  const dir = join(root, entity, ts)
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))
  const data = metadata.files.find((f: { role: string }) => f.role === 'data')
  return { dir, metadataFile: join(dir, 'metadata.json'), metadata, dataFile: join(dir, data.name), compressed: data.compressed as boolean }
}

/** Rewrites metadata.json and re-vouches for it in the manifest and the latest pointer (a "buggy writer"). */
export function rewriteMetadata(root: string, entity: string, ts: string, change: (m: any) => void): void {
  const f = backupFiles(root, entity, ts)
  change(f.metadata)
  const text = `${JSON.stringify(f.metadata, null, 2)}\n`
  writeFileSync(f.metadataFile, text)
  const manifestFile = join(root, 'manifest.json')
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
  for (const b of manifest.backups) if (b.entity === entity && b.timestamp === ts) b.metadataSha256 = sha(text)
  writeFileSync(manifestFile, JSON.stringify(manifest))
  try {
    const latestFile = join(root, entity, 'latest')
    const latest = JSON.parse(readFileSync(latestFile, 'utf8'))
    if (latest.timestamp === ts) writeFileSync(latestFile, JSON.stringify({ timestamp: ts, metadataSha256: sha(text) }))
  } catch {
    // no pointer
  }
}

/** Rewrites the (plain or gzip) data text and updates size and checksum, so only deeper checks can catch it. */
export async function rewriteData(root: string, entity: string, ts: string, change: (text: string) => string, rows?: number): Promise<void> {
  const f = backupFiles(root, entity, ts)
  const raw = readFileSync(f.dataFile)
  const text = change((f.compressed ? gunzipSync(raw) : raw).toString('utf8'))
  const out = f.compressed ? gzipSync(text) : Buffer.from(text)
  writeFileSync(f.dataFile, out)
  rewriteMetadata(root, entity, ts, (m) => {
    const d = m.files.find((x: { role: string }) => x.role === 'data')
    d.size = out.length
    d.sha256 = sha(out)
    m.sizeBytes = out.length
    if (rows !== undefined) m.counts.rows = rows
  })
}

/** Flips one bit of a file in place. */
export function flipBit(file: string, byte: number, bit = 0): void {
  const b = readFileSync(file)
  b[byte] = b[byte]! ^ (1 << bit)
  writeFileSync(file, b)
}
