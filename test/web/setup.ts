import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { memoryVectorStore } from '../../runtime/adapters/vector/memory.js'
import type { VectorStore } from '../../runtime/adapters/vector/types.js'
import { realFs, type BackupFs } from '../../runtime/engine/fs.js'
import { createBackupHandler, type BackupHandlerOptions } from '../../runtime/web/index.js'
import { engine, mediaRows } from '../engine/setup.js'
import { descriptorOf } from '../../runtime/adapters/data/descriptor.js'

export const TOKEN = 'test-token-0123456789abcdef'
export const MEDIA = 'src.entities.Media'
export const PERSON = 'src.entities.Person'
export const CANARY = 'CANARY-9c41e-do-not-serve'
const key = `base64:${Buffer.alloc(32, 7).toString('base64')}`

/** Every fs call the engine made, with the paths it named. */
export interface FsSpy {
  fs: BackupFs
  calls: Array<{ op: string; path: string }>
  /** Makes a call fail: return an error to throw for that op and path. */
  fail: ((op: string, path: string) => Error | undefined) | null
  /** Bytes read through file handles that `open` returned, and handles opened / closed. */
  handles: { bytesRead: number; opened: number; closed: number }
}

/** Wraps the real file system and records each call's path arguments. */
export function spyFs(): FsSpy {
  const spy: FsSpy = { fs: {} as BackupFs, calls: [], fail: null, handles: { bytesRead: 0, opened: 0, closed: 0 } }
  const fs = spy.fs as unknown as Record<string, unknown>
  for (const [op, fn] of Object.entries(realFs)) {
    if (typeof fn !== 'function') {
      fs[op] = fn
      continue
    }
    fs[op] = (...args: unknown[]) => {
      for (const a of args.slice(0, op === 'rename' ? 2 : 1)) if (typeof a === 'string') spy.calls.push({ op, path: resolve(a) })
      const failure = typeof args[0] === 'string' ? spy.fail?.(op, resolve(args[0])) : undefined
      if (failure) return op === 'createReadStream' ? (() => { throw failure })() : Promise.reject(failure)
      const result = (fn as (...x: unknown[]) => unknown)(...args)
      return op === 'open' ? (result as Promise<FileHandle>).then((h) => countedHandle(h, spy.handles)) : result
    }
  }
  return spy
}

/** A file handle whose reads and close are counted. */
function countedHandle(handle: FileHandle, counts: FsSpy['handles']): FileHandle {
  counts.opened++
  return new Proxy(handle, {
    get(target, prop) {
      if (prop === 'read') {
        return async (...args: unknown[]) => {
          const r = await (target.read as (...x: unknown[]) => Promise<{ bytesRead: number }>)(...args)
          counts.bytesRead += r.bytesRead
          return r
        }
      }
      if (prop === 'close') return () => target.close().then(() => void counts.closed++)
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** True when `path` is the root or inside it (path comparison, not a string prefix). */
export function within(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * A sandbox: `<tmp>/root` is the backup root, `<tmp>/secret.txt` the canary outside it; an engine over
 * the codec fixture with Media (and vectors) and Person rows, an encryption key for Account, a spied fs.
 */
export async function sandbox(options: { rows?: number; vectors?: boolean; handler?: BackupHandlerOptions } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kb-web-'))
  const root = join(dir, 'root')
  mkdirSync(root)
  const canaryFile = join(dir, 'secret.txt')
  writeFileSync(canaryFile, `${CANARY}\n`)
  const spy = spyFs()
  const vectors: VectorStore | undefined = options.vectors ? memoryVectorStore() : undefined
  const e = await engine({ path: root, fs: spy.fs, config: { encryption: { keys: { k1: key } }, ...(vectors ? { vectors } : {}) } })
  const n = options.rows ?? 20
  const codec = e.m.codecs[MEDIA]!
  const media = await e.store.collection(descriptorOf(codec))
  await media.upsert(mediaRows(e.m, n))
  if (vectors) {
    const c = await vectors.collection({ fullName: MEDIA, name: 'Media' }, { dimension: 8, metric: 'cosine' })
    await c.upsert(Array.from({ length: n }, (_, i) => ({ id: `m${i}`, vector: Float32Array.from({ length: 8 }, (_, k) => Math.sin(i + k)) })))
  }
  const handler = createBackupHandler(e.backup, { token: TOKEN, ...options.handler })
  return { ...e, dir, root, canaryFile, spy, handler, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export type Sandbox = Awaited<ReturnType<typeof sandbox>>

/** A default sandbox holding one backup of Media, and that backup's timestamp. */
export async function sandboxWithBackup(): Promise<{ s: Sandbox; ts: string }> {
  const s = await sandbox()
  return { s, ts: (await s.backup.entity('Media').create()).timestamp }
}

/** Options of `call`. */
export interface CallOptions {
  method?: string
  /** `false`: no Authorization header. @default TOKEN */
  token?: string | false
  headers?: Record<string, string>
  body?: unknown
  host?: string
}

/** Builds a Request as a same-machine script would send it (loopback Host, bearer token, JSON body). */
export function request(path: string, o: CallOptions = {}): Request {
  const headers = new Headers({ host: o.host ?? '127.0.0.1:8080', ...o.headers })
  if (o.token !== false) headers.set('authorization', `Bearer ${o.token ?? TOKEN}`)
  let body: BodyInit | undefined
  if (o.body !== undefined) {
    body = typeof o.body === 'string' || o.body instanceof ReadableStream ? (o.body as BodyInit) : JSON.stringify(o.body)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  return new Request(`http://127.0.0.1:8080${path}`, { method: o.method ?? 'GET', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit)
}

/** Calls the handler; returns the status, headers and parsed JSON (or text) body. */
export async function call(s: { handler: (r: Request) => Promise<Response> }, path: string, o: CallOptions = {}) {
  const res = await s.handler(request(path, o))
  const text = await res.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, json, text }
}
