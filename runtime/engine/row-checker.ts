import { Worker, type MessagePort } from 'node:worker_threads'
import type { EntityId } from '../adapters/data/types.js'
import { codecProgram, type EntityCodec } from '../schema/codec.js'
import { readHelpers } from '../schema/read-helpers.js'

/**
 * Rows checked off the main thread. Worker threads parse each row's JSON text and run the entity's
 * generated reader on it while the main thread goes on with the rows before (writing them, counting
 * them): the cores of a small machine share a restore's work. A worker only vouches: for each row it
 * answers the row's id when the text is the entity's canonical stored form, or `null`; the main thread
 * reads every row no worker vouched for itself, exactly as without workers (so errors, their wording and
 * what is written do not depend on them). A worker that cannot start or fails answers `null` from then on.
 */
export class RowChecker {
  private lanes: Lane[]
  private turn = 0

  private constructor(lanes: Lane[]) {
    this.lanes = lanes
  }

  /**
   * A checker for the codec's rows with `threads` workers; `null` when the codec has no generated program
   * or no worker can start. `onError` hears why a worker failed (its rows are then read on the main thread).
   */
  static start(codec: EntityCodec, onError: (error: Error) => void = () => {}, threads = 1): RowChecker | null {
    const program = codecProgram(codec)
    if (program === undefined) return null
    // `require` stays in this text, out of any function a bundler rewrites (esbuild turns `require` calls
    // into a shim of its own); `__name` is what esbuild's `keepNames` (tsx runs with it) adds to functions
    const source = `var __name = (f) => f;\n(${workerMain.toString()})(require('node:worker_threads').parentPort, ${readHelpers.toString()}, ${JSON.stringify(program)}, ${JSON.stringify(codec.fullName)})`
    const lanes: Lane[] = []
    for (let i = 0; i < threads; i++) {
      try {
        lanes.push(new Lane(new Worker(source, { eval: true, name: `koan-backup rows ${codec.fullName}` }), onError))
      } catch (error) {
        onError(error as Error)
        break
      }
    }
    return lanes.length > 0 ? new RowChecker(lanes) : null
  }

  /**
   * True once a worker has compiled the program and can take rows (a worker takes ~25 ms to start: until
   * then the caller reads the rows itself rather than wait).
   */
  get ready(): boolean {
    return this.lanes.some((lane) => lane.ready)
  }

  /** Resolves once every worker is ready or gone: `true` when one is ready. */
  async whenReady(): Promise<boolean> {
    await Promise.all(this.lanes.map((lane) => lane.started))
    return this.ready
  }

  /**
   * A worker's verdict on rows `text.slice(starts[i], ends[i])`, in order: each row's id when it is in
   * the canonical stored form, else `null`; `null` for all of them when no worker is left. Never rejects.
   * Calls go to the workers in turn, ready ones first (a starting worker answers once it is ready).
   */
  check(text: string, starts: Int32Array, ends: Int32Array): Promise<Array<EntityId | null> | null> {
    let starting: Lane | null = null
    for (let tries = 0; tries < this.lanes.length; tries++) {
      const lane = this.lanes[this.turn++ % this.lanes.length]!
      if (lane.ready) return lane.check(text, starts, ends)
      if (lane.alive) starting ??= lane
    }
    return starting ? starting.check(text, starts, ends) : Promise.resolve(null)
  }

  /** Stops the workers (idempotent); pending checks answer `null`. */
  close(): void {
    for (const lane of this.lanes) lane.close()
  }
}

/** One worker and the checks it has not answered yet. */
class Lane {
  private worker: Worker | null
  private next = 0
  private waiting = new Map<number, (ids: Array<EntityId | null> | null) => void>()
  /** Set when the worker reported its program compiled. */
  private compiled = false
  private onStarted!: () => void
  /** Settles when the worker is ready or gone. */
  readonly started = new Promise<void>((resolve) => (this.onStarted = resolve))

  constructor(worker: Worker, onError: (error: Error) => void) {
    this.worker = worker
    worker.unref()
    worker.on('message', (m: { ready: true } | { id: number; ids: Array<EntityId | null> }) => {
      if ('ready' in m) {
        this.compiled = true
        this.onStarted()
      } else this.settle(m.id, m.ids)
    })
    worker.on('error', (error) => {
      if (this.worker) onError(error)
      this.fail()
    })
    worker.on('exit', () => this.fail())
  }

  get alive(): boolean {
    return this.worker !== null
  }

  get ready(): boolean {
    return this.compiled && this.worker !== null
  }

  check(text: string, starts: Int32Array, ends: Int32Array): Promise<Array<EntityId | null> | null> {
    const worker = this.worker
    if (!worker) return Promise.resolve(null)
    const id = this.next++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      try {
        worker.postMessage({ id, text, starts, ends })
      } catch {
        this.fail()
      }
    })
  }

  close(): void {
    const worker = this.worker
    this.fail()
    void worker?.terminate()
  }

  private settle(id: number, ids: Array<EntityId | null>): void {
    const resolve = this.waiting.get(id)
    this.waiting.delete(id)
    resolve?.(ids)
  }

  private fail(): void {
    this.worker = null
    this.onStarted()
    for (const resolve of this.waiting.values()) resolve(null)
    this.waiting.clear()
  }
}

/**
 * The worker's code, run from its source text: it refers to nothing but its arguments and globals.
 * `makeHelpers` is `readHelpers`; the program's classes are not needed to check a row, so every class
 * is a plain object's.
 */
function workerMain(port: MessagePort, makeHelpers: typeof readHelpers, program: string, fullName: string): void {
  const $ = makeHelpers(Symbol('not the canonical stored form'))
  const plain = { prototype: Object.prototype }
  const classes = new Proxy({}, { get: () => plain })
  const read = (new Function('$', 'C', program)($, classes) as Record<string, { read(value: unknown): unknown }>)[fullName]!.read
  port.postMessage({ ready: true })
  port.on('message', (m: { id: number; text: string; starts: Int32Array; ends: Int32Array }) => {
    const ids = new Array<string | number | null>(m.starts.length)
    for (let i = 0; i < ids.length; i++) {
      let verdict: string | number | null = null
      try {
        const value = JSON.parse(m.text.slice(m.starts[i], m.ends[i])) as { id?: unknown }
        const id = read(value) === $.FAIL ? undefined : value.id
        if (typeof id === 'string' || typeof id === 'number') verdict = id
      } catch {
        // not valid JSON, or a row the reader throws on: the main thread reads it and says why
      }
      ids[i] = verdict
    }
    port.postMessage({ id: m.id, ids })
  })
}
