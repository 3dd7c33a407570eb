import { compareIds } from '../data/ids.js'
import type { EntityId } from '../data/types.js'
import type { VectorMetric } from './types.js'

/**
 * The distance every vector store reports, nearest first (smaller is nearer), computed here in
 * float64 from the float32 values:
 *
 * - `cosine`: 1 − cos(a, b) = 1 − a·b / (‖a‖ ‖b‖), from 0 (same direction) to 2 (opposite);
 *   NaN when either vector is all zeros (such a vector is never a cosine neighbour);
 * - `l2`: the Euclidean distance ‖a − b‖ (not its square);
 * - `dot`: −(a·b), the negative inner product (pgvector's `<#>`).
 *
 * Stores that compute in float32 (LanceDB, pgvector, sqlite-vec) agree to about 1e-6 relative.
 */
export function vectorDistance(metric: VectorMetric, a: Float32Array, b: Float32Array): number {
  let dot = 0
  if (metric === 'l2') {
    let sum = 0
    for (let i = 0; i < a.length; i++) {
      const d = a[i]! - b[i]!
      sum += d * d
    }
    return Math.sqrt(sum)
  }
  if (metric === 'dot') {
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!
    return -dot
  }
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    na += a[i]! * a[i]!
    nb += b[i]! * b[i]!
  }
  return na === 0 || nb === 0 ? Number.NaN : 1 - dot / (Math.sqrt(na) * Math.sqrt(nb))
}

/** One neighbour of a query. */
export interface Neighbour {
  id: EntityId
  distance: number
}

/** Nearer first; equal distances by id (`compareIds`), so brute force results are deterministic. */
export function compareNeighbours(a: Neighbour, b: Neighbour): number {
  return a.distance - b.distance || compareIds(a.id, b.id)
}

/**
 * The `k` nearest of the neighbours offered, in O(k) memory: a max-heap on distance whose top is
 * the farthest kept. NaN distances (cosine to a zero vector) are never kept.
 */
export class NearestK {
  private readonly heap: Neighbour[] = []

  constructor(private readonly k: number) {}

  offer(id: EntityId, distance: number): void {
    if (this.k === 0 || Number.isNaN(distance)) return
    const item = { id, distance }
    const heap = this.heap
    if (heap.length < this.k) {
      heap.push(item)
      this.up(heap.length - 1)
    } else if (compareNeighbours(item, heap[0]!) < 0) {
      heap[0] = item
      this.down(0)
    }
  }

  /** The kept neighbours, nearest first. */
  sorted(): Neighbour[] {
    return [...this.heap].sort(compareNeighbours)
  }

  private up(i: number): void {
    const heap = this.heap
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (compareNeighbours(heap[i]!, heap[parent]!) <= 0) return
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  private down(i: number): void {
    const heap = this.heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let top = i
      if (l < heap.length && compareNeighbours(heap[l]!, heap[top]!) > 0) top = l
      if (r < heap.length && compareNeighbours(heap[r]!, heap[top]!) > 0) top = r
      if (top === i) return
      ;[heap[i], heap[top]] = [heap[top]!, heap[i]!]
      i = top
    }
  }
}
