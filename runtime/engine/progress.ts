/** What a long-running operation is doing: writing a backup, checking one, applying rows, or moving vectors. */
export type ProgressPhase = 'backup' | 'verify' | 'restore' | 'vectors'

/** One progress report; counts only grow within a phase of an entity. */
export interface ProgressEvent {
  /** Full name of the entity. */
  entity: string
  phase: ProgressPhase
  /** Rows (or, in the `vectors` phase, vectors) done so far. */
  rows: number
  /** Stored bytes written (backup) or read (verify, restore) so far: as on disk, after gzip and encryption. */
  bytes: number
  /** Rows the phase will reach, when known. */
  totalRows?: number
  /** Bytes the phase will reach, when known. */
  totalBytes?: number
  /** True on the last event of the phase. */
  done: boolean
}

/** Receives progress events. Called at most every `PROGRESS_EVERY` rows (and once at each phase's end), never per row. */
export type ProgressListener = (event: ProgressEvent) => void

/** Rows between two events of a phase. */
export const PROGRESS_EVERY = 1000

/**
 * Counts rows and bytes of one phase and reports them every `PROGRESS_EVERY` rows and at the end.
 * Without a listener it only counts. A listener that throws is ignored (progress never fails an operation).
 */
export class ProgressMeter {
  rows = 0
  bytes = 0
  private next = PROGRESS_EVERY
  private finished = false

  constructor(
    private listener: ProgressListener | undefined,
    private base: { entity: string; phase: ProgressPhase; totalRows?: number; totalBytes?: number },
  ) {}

  /** Adds stored bytes (from a stream tap). */
  readonly addBytes = (n: number): void => {
    this.bytes += n
  }

  /** `addBytes` when someone listens, else `undefined`: streams then get no counting stage at all. */
  get tap(): ((n: number) => void) | undefined {
    return this.listener ? this.addBytes : undefined
  }

  /** One more row; reports when a multiple of `PROGRESS_EVERY` is reached. */
  row(): void {
    if (++this.rows >= this.next) {
      this.next = this.rows + PROGRESS_EVERY
      this.emit(false)
    }
  }

  /** `n` more rows at once (a decoded chunk); reports when a multiple of `PROGRESS_EVERY` is reached. */
  addRows(n: number): void {
    this.rows += n
    if (this.rows >= this.next) {
      this.next = this.rows + PROGRESS_EVERY
      this.emit(false)
    }
  }

  /** Sets the row count (it never goes down) and reports now: for coarse steps such as batches or chunks. */
  set(rows: number): void {
    this.rows = Math.max(this.rows, rows)
    this.emit(false)
  }

  /** Raises the totals once more work is known to follow (they never go down); reported with the next event. */
  expect(totals: { totalRows?: number; totalBytes?: number }): void {
    const max = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b))
    this.base = { ...this.base, totalRows: max(this.base.totalRows, totals.totalRows), totalBytes: max(this.base.totalBytes, totals.totalBytes) }
  }

  /** Reports the start of the phase (zero counts, totals when known). */
  start(): void {
    this.emit(false)
  }

  /** Reports the final counts once; `rows`, when given, is the final row count. */
  finish(rows?: number): void {
    if (rows !== undefined) this.rows = Math.max(this.rows, rows)
    if (this.finished) return
    this.finished = true
    this.emit(true)
  }

  private emit(done: boolean): void {
    if (!this.listener) return
    const { totalRows, totalBytes } = this.base
    try {
      this.listener({
        entity: this.base.entity, phase: this.base.phase, rows: this.rows, bytes: this.bytes,
        ...(totalRows !== undefined ? { totalRows } : {}), ...(totalBytes !== undefined ? { totalBytes } : {}), done,
      })
    } catch {
      // a failing progress display must not fail a backup or a restore
      this.listener = undefined
    }
  }
}
