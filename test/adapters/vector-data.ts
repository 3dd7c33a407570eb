import { expect } from 'vitest'
import type { EntityId } from '../../runtime/adapters/data/types.js'
import { vectorDistance } from '../../runtime/adapters/vector/distance.js'
import type { VectorCollection, VectorEntity, VectorMetric, VectorRecord } from '../../runtime/adapters/vector/types.js'
import { seeded } from '../random.js'

/** Entities of the vector contract (stores only need the names). */
export const media: VectorEntity = { fullName: 'src.entities.Media', name: 'Media' }
export const sample: VectorEntity = { fullName: 'src.entities.Sample', name: 'Sample' }

/** The bytes of a Float32Array (bit-exact comparisons: -0, subnormals). */
export const bytes = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

/** `n` random vectors of `dimension` components in [-1, 1); ids alternate numbers and strings. */
export function randomDataset(n: number, dimension: number, seed: number): VectorRecord[] {
  const random = seeded(seed)
  return Array.from({ length: n }, (_, i) => ({
    id: i % 2 === 0 ? i : `v${i}`,
    vector: Float32Array.from({ length: dimension }, () => random() * 2 - 1),
  }))
}

/** Float32 values that text formats and float64 detours get wrong (all finite). */
export const awkwardValues: number[] = [
  1.401298464324817e-45, // the smallest subnormal
  -1.401298464324817e-45,
  1.1754942106924411e-38, // the largest subnormal
  1.1754943508222875e-38, // the smallest normal
  -0,
  0,
  1e-38,
  -1e-38,
  3.4e38,
  3.4028234663852886e38, // the largest float32
  -3.4028234663852886e38,
  Math.fround(0.1),
  Math.fround(1 / 3),
  Math.fround(Math.PI),
  16777217, // 2^24 + 1: rounds to 2^24
  0.1 + 0.2, // not representable: rounds to a float32
  Math.fround(2 / 3) * -1e-30,
  1,
  -1,
]

/** Every record of a stream, in order. */
export async function readAll(c: VectorCollection): Promise<VectorRecord[]> {
  const out: VectorRecord[] = []
  for await (const record of c.stream()) out.push(record)
  return out
}

/**
 * Checks a store's nearest neighbours against brute force: the same number, distances within 1e-5
 * (relative above 1), and the same ids in the same order — except where brute force distances
 * tie within float32 precision, where any of the tied ids may come first.
 */
export function expectSameNeighbours(actual: Array<{ id: EntityId; distance: number }>, expected: Array<{ id: EntityId; distance: number }>, metric: VectorMetric, dataset: Map<EntityId, Float32Array>, query: Float32Array): void {
  expect(actual.length).toBe(expected.length)
  expect(new Set(actual.map((n) => n.id)).size).toBe(actual.length)
  for (const [i, a] of actual.entries()) {
    const e = expected[i]!
    const scale = Math.max(1, Math.abs(e.distance))
    expect(Math.abs(a.distance - e.distance), `distance #${i} (${String(a.id)})`).toBeLessThanOrEqual(1e-5 * scale)
    if (a.id !== e.id) {
      // a swap is only allowed between near-ties: the id's true distance is the expected one
      const stored = dataset.get(a.id)
      expect(stored, `id ${String(a.id)} is in the dataset`).toBeDefined()
      expect(Math.abs(vectorDistance(metric, query, stored!) - e.distance), `#${i}: ${String(a.id)} instead of ${String(e.id)}`).toBeLessThanOrEqual(1e-6 * scale)
    }
  }
}
