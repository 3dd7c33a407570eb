import type { ProgressEvent } from '../engine/progress.js'
import { bytes, count, duration, shortName } from './format.js'

/** Where bars are drawn: a terminal stream (process.stderr, or a fake one in tests). */
export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(chunk: string): boolean
}

/** Options of the renderer. */
export interface ProgressOptions {
  /** Clock in ms. @default performance.now */
  now?: () => number
  /** Least time between two redraws of the live line. @default 100 */
  intervalMs?: number
}

const BAR = 20

/** The fraction done: by bytes when their total is known, else by rows, else unknown. */
function fraction(e: ProgressEvent): number | null {
  if (e.totalBytes) return Math.min(1, e.bytes / e.totalBytes)
  if (e.totalRows) return Math.min(1, e.rows / e.totalRows)
  if (e.done) return 1
  return null
}

/** One line of progress: entity, phase, bar, percentage, rows, bytes, rate and ETA (or the totals once done). */
export function progressLine(e: ProgressEvent, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000
  const unit = e.phase === 'vectors' ? 'vectors' : 'rows'
  const rows = e.totalRows !== undefined ? `${count(e.rows)}/${count(e.totalRows)} ${unit}` : e.rows > 0 ? `${count(e.rows)} ${unit}` : ''
  const head = `${shortName(e.entity)} ${e.phase}`
  if (e.done) {
    return [`${head} done`, rows, bytes(e.bytes), `in ${duration(elapsedMs)}`, `(${bytes(Math.round(e.bytes / seconds))}/s)`].filter(Boolean).join('  ')
  }
  const f = fraction(e)
  const bar = f === null ? '' : `[${'#'.repeat(Math.round(f * BAR)).padEnd(BAR, '-')}] ${String(Math.floor(f * 100)).padStart(3)}%`
  const rate = `${bytes(Math.round(e.bytes / seconds))}/s`
  const eta = f !== null && f > 0 && f < 1 ? `ETA ${duration((elapsedMs * (1 - f)) / f)}` : f === null ? '' : 'ETA --'
  return [head, bar, rows, bytes(e.bytes), rate, eta].filter(Boolean).join('  ')
}

/**
 * Draws progress events as one live line on a terminal (`\r`, redrawn at most every `intervalMs`),
 * and one finished line per phase. Use `ProgressRenderer.create`, which gives none off a terminal.
 */
export class ProgressRenderer {
  private started = new Map<string, number>()
  private lastDraw = Number.NEGATIVE_INFINITY
  private live = false
  private now: () => number
  private interval: number

  private constructor(private stream: ProgressStream, options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now())
    this.interval = options.intervalMs ?? 100
  }

  /** A renderer when `enabled` and the stream is a terminal; `null` otherwise (nothing is drawn). */
  static create(stream: ProgressStream | undefined, enabled: boolean, options: ProgressOptions = {}): ProgressRenderer | null {
    return enabled && stream?.isTTY ? new ProgressRenderer(stream, options) : null
  }

  /** Takes one event (pass as `onProgress`). */
  readonly update = (e: ProgressEvent): void => {
    const key = `${e.entity}\0${e.phase}`
    const now = this.now()
    const start = this.started.get(key) ?? now
    this.started.set(key, start)
    if (e.done) {
      this.stream.write(`\r${this.fit(progressLine(e, now - start))}\x1b[K\n`)
      this.live = false
      this.lastDraw = Number.NEGATIVE_INFINITY
      return
    }
    if (now - this.lastDraw < this.interval) return
    this.lastDraw = now
    this.stream.write(`\r${this.fit(progressLine(e, now - start))}\x1b[K`)
    this.live = true
  }

  /** Clears a live line (before an error or a result is printed). */
  end(): void {
    if (this.live) this.stream.write('\r\x1b[K')
    this.live = false
  }

  private fit(text: string): string {
    const width = this.stream.columns
    return width && text.length >= width ? text.slice(0, width - 1) : text
  }
}
