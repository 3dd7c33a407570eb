/**
 * C1-3 helpers: a BackupFs that records the durable-relevant operations (create, write, fsync,
 * close, mkdir, rename, fsync-dir, unlink/rm) with the bytes written, and a power-loss model that
 * rebuilds, for any point of the log, the tree a crash there could leave in the worst case: a file's
 * bytes survive only up to its last fsync, a directory entry (create, rename, unlink, mkdir) only
 * when its directory was fsynced after it. Everything after the last relevant fsync is dropped.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'
import type { BackupFs } from '../../runtime/engine/fs.js'
import { realFs } from '../../runtime/engine/fs.js'

/** One recorded operation (paths relative to the backup root, `/`-separated). */
export type Op =
  | { op: 'create'; path: string }
  | { op: 'write'; path: string; bytes: Buffer }
  | { op: 'fsync'; path: string }
  | { op: 'close'; path: string }
  | { op: 'mkdir'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'fsyncdir'; path: string }
  | { op: 'unlink'; path: string }

/** A BackupFs over the real one that appends every operation to `log`. */
export function recordingFs(root: string, log: Op[]): BackupFs {
  const rel = (p: unknown) => relative(root, String(p)).split(sep).join('/')
  return {
    ...realFs,
    async open(path, flags, mode) {
      const handle = await realFs.open(path, flags, mode)
      const p = rel(path)
      if (typeof flags === 'string' && /[wa]/.test(flags)) log.push({ op: 'create', path: p })
      else return handle
      const writeFile = handle.writeFile.bind(handle)
      handle.writeFile = async (data, options) => {
        await writeFile(data, options)
        log.push({ op: 'write', path: p, bytes: Buffer.from(data as string | Uint8Array) })
      }
      const createWriteStream = handle.createWriteStream.bind(handle)
      handle.createWriteStream = (options) => {
        const stream = createWriteStream(options)
        const write = stream._write.bind(stream)
        stream._write = (chunk, enc, cb) => write(chunk, enc, (error) => {
          if (!error) log.push({ op: 'write', path: p, bytes: Buffer.from(chunk) })
          cb(error)
        })
        if (stream._writev) {
          const writev = stream._writev.bind(stream)
          stream._writev = (chunks, cb) => writev(chunks, (error) => {
            if (!error) for (const c of chunks) log.push({ op: 'write', path: p, bytes: Buffer.from(c.chunk) })
            cb(error)
          })
        }
        return stream
      }
      const sync = handle.sync.bind(handle)
      handle.sync = async () => {
        await sync()
        log.push({ op: 'fsync', path: p })
      }
      const close = handle.close.bind(handle)
      handle.close = async () => {
        await close()
        log.push({ op: 'close', path: p })
      }
      return handle
    },
    mkdir: (async (path: string, options?: { recursive?: boolean }) => {
      const created = await realFs.mkdir(path, options)
      // with `recursive`, the first folder created (undefined when all existed); else the path itself
      if (typeof options === 'object' && options?.recursive) {
        if (created !== undefined) {
          const parts = rel(path).split('/')
          for (let i = rel(created).split('/').length; i <= parts.length; i++) log.push({ op: 'mkdir', path: parts.slice(0, i).join('/') })
        }
      } else log.push({ op: 'mkdir', path: rel(path) })
      return created
    }) as BackupFs['mkdir'],
    async rename(from, to) {
      await realFs.rename(from, to)
      log.push({ op: 'rename', from: rel(from), to: rel(to) })
    },
    async rm(path, options) {
      let existed = true
      try {
        await realFs.lstat(path)
      } catch {
        existed = false
      }
      await realFs.rm(path, options)
      if (existed) log.push({ op: 'unlink', path: rel(path) })
    },
    async unlink(path) {
      await realFs.unlink(path)
      log.push({ op: 'unlink', path: rel(path) })
    },
    async fsyncDir(dir) {
      await realFs.fsyncDir(dir)
      log.push({ op: 'fsyncdir', path: rel(dir) })
    },
  }
}

// ---------------------------------------------------------------- the power-loss model

interface FileNode { kind: 'file'; data: Buffer; durable: Buffer }
interface DirNode { kind: 'dir'; entries: Map<string, Node>; durable: Map<string, Node> }
type Node = FileNode | DirNode

function snapshot(path: string): Node {
  if (statSync(path).isDirectory()) {
    const entries = new Map<string, Node>()
    for (const name of readdirSync(path)) entries.set(name, snapshot(join(path, name)))
    return { kind: 'dir', entries, durable: new Map(entries) }
  }
  const data = readFileSync(path)
  return { kind: 'file', data, durable: data }
}

/** The worst-case durable tree of a backup root, replayed from a fully durable snapshot and a log. */
export class PowerLossModel {
  private root: DirNode

  /** `dir`: the backup root as it was (fully durable) when recording started. */
  constructor(dir: string) {
    this.root = snapshot(dir) as DirNode
  }

  private parent(path: string): { dir: DirNode; name: string } {
    let node: DirNode = this.root
    const parts = path.split('/')
    for (const part of parts.slice(0, -1)) {
      const next = node.entries.get(part)
      if (!next || next.kind !== 'dir') throw new Error(`model: no folder ${part} on the way to ${path}`)
      node = next
    }
    return { dir: node, name: parts.at(-1)! }
  }

  private get(path: string): Node | undefined {
    if (path === '' || path === '.') return this.root
    const { dir, name } = this.parent(path)
    return dir.entries.get(name)
  }

  /** Applies one operation to the volatile state (and, for fsyncs, to the durable one). */
  apply(o: Op): void {
    switch (o.op) {
      case 'create': {
        const { dir, name } = this.parent(o.path)
        dir.entries.set(name, { kind: 'file', data: Buffer.alloc(0), durable: Buffer.alloc(0) })
        break
      }
      case 'write': {
        const f = this.get(o.path) as FileNode
        f.data = Buffer.concat([f.data, o.bytes])
        break
      }
      case 'fsync': {
        const f = this.get(o.path) as FileNode
        f.durable = f.data
        break
      }
      case 'mkdir': {
        const { dir, name } = this.parent(o.path)
        if (!dir.entries.has(name)) dir.entries.set(name, { kind: 'dir', entries: new Map(), durable: new Map() })
        break
      }
      case 'rename': {
        const from = this.parent(o.from)
        const node = from.dir.entries.get(from.name)
        if (!node) throw new Error(`model: rename of a missing ${o.from}`)
        from.dir.entries.delete(from.name)
        const to = this.parent(o.to)
        to.dir.entries.set(to.name, node)
        break
      }
      case 'unlink': {
        const { dir, name } = this.parent(o.path)
        dir.entries.delete(name)
        break
      }
      case 'fsyncdir': {
        const d = this.get(o.path) as DirNode
        d.durable = new Map(d.entries)
        break
      }
      case 'close':
        break
    }
  }

  /** A digest of the durable tree (equal trees need one check). */
  signature(): string {
    const h = createHash('sha256')
    const visit = (node: DirNode, path: string) => {
      for (const [name, child] of [...node.durable].sort(([a], [b]) => (a < b ? -1 : 1))) {
        h.update(`${path}/${name}\0`)
        if (child.kind === 'dir') visit(child, `${path}/${name}`)
        else h.update(child.durable)
      }
    }
    visit(this.root, '')
    return h.digest('hex')
  }

  /** Writes the tree a power loss now could leave into `out` (durable entries, durable bytes). */
  materialize(out: string): void {
    const write = (node: DirNode, path: string) => {
      mkdirSync(path, { recursive: true })
      for (const [name, child] of node.durable) {
        if (child.kind === 'dir') write(child, join(path, name))
        else writeFileSync(join(path, name), child.durable)
      }
    }
    write(this.root, out)
  }
}

/**
 * The ordering rules of a durable commit, checked on a log:
 * 1. a file is fsynced after its last write and before it is renamed or its folder is published;
 * 2. every entry created in a folder (file, sub-folder, rename target) is made durable by an fsync
 *    of that folder before the folder is renamed into place, and before the log moves on to write
 *    a file that refers to it (manifest.json, latest);
 * 3. after a rename, the target's folder is fsynced before the next file is created elsewhere.
 */
export function orderingViolations(log: Op[]): string[] {
  const out: string[] = []
  const unsyncedFiles = new Set<string>()
  // folder → entries changed since its last fsync
  const dirty = new Map<string, string[]>()
  const touch = (path: string) => {
    const d = dirname(path) === '.' ? '' : dirname(path)
    dirty.set(d, [...(dirty.get(d) ?? []), basename(path)])
  }
  const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`)
  let pendingRename: string | null = null
  log.forEach((o, i) => {
    const at = `#${i} ${o.op} ${'path' in o ? o.path : `${o.from} → ${o.to}`}`
    if (o.op === 'create' || o.op === 'mkdir') {
      if (pendingRename !== null && o.op === 'create' && !under(o.path, pendingRename)) out.push(`${at}: created before the folder of the rename to ${pendingRename} was fsynced (rule 3)`)
      touch(o.path)
      if (o.op === 'create') unsyncedFiles.add(o.path)
    } else if (o.op === 'write') {
      unsyncedFiles.add(o.path)
    } else if (o.op === 'fsync') {
      unsyncedFiles.delete(o.path)
    } else if (o.op === 'fsyncdir') {
      dirty.delete(o.path === '.' ? '' : o.path)
      if (pendingRename !== null && (o.path === pendingRename)) pendingRename = null
    } else if (o.op === 'rename') {
      for (const f of unsyncedFiles) if (under(f, o.from)) out.push(`${at}: ${f} renamed or published before its fsync (rule 1)`)
      for (const [d, names] of dirty) if (d !== '' && under(d, o.from) && d !== dirname(o.from)) out.push(`${at}: folder ${d} has entries not fsynced (${names.join(', ')}) when published (rule 2)`)
      // the names inside the moved tree move with it
      for (const f of [...unsyncedFiles]) if (under(f, o.from)) { unsyncedFiles.delete(f); unsyncedFiles.add(o.to + f.slice(o.from.length)) }
      touch(o.from)
      touch(o.to)
      pendingRename = dirname(o.to) === '.' ? '' : dirname(o.to)
    } else if (o.op === 'unlink') {
      touch(o.path)
      for (const f of [...unsyncedFiles]) if (under(f, o.path)) unsyncedFiles.delete(f)
      for (const d of [...dirty.keys()]) if (d !== '' && under(d, o.path)) dirty.delete(d)
    }
  })
  return out
}
