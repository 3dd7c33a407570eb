// What the playground compares, as pure functions over plain snapshots (unit-tested without a build).

/** What a store holds, in a form compared exactly: entity → stored rows (JSON), and Media's vectors. */
export interface Snapshot {
  data: Record<string, string[]>
  /** `id float32-bytes-as-hex`, in id order: equal strings mean the same ids and the same bits. */
  vectors: string[]
}

/** The differences between two snapshots, in words: none means identical rows and identical vector bits. */
export function differences(before: Snapshot, after: Snapshot): { data: string[]; vectors: string[] } {
  const data: string[] = []
  for (const entity of new Set([...Object.keys(before.data), ...Object.keys(after.data)])) {
    const [a, b] = [before.data[entity] ?? [], after.data[entity] ?? []]
    if (a.length !== b.length) data.push(`${entity}: ${a.length} rows before, ${b.length} after`)
    const i = a.findIndex((row, k) => row !== b[k])
    if (i >= 0) data.push(`${entity}: row ${i} differs: ${a[i]} ≠ ${b[i] ?? '(none)'}`)
  }
  const vectors: string[] = []
  const [a, b] = [before.vectors, after.vectors]
  if (a.length !== b.length) vectors.push(`Media vectors: ${a.length} before, ${b.length} after`)
  const i = a.findIndex((v, k) => v !== b[k])
  if (i >= 0) vectors.push(vectorDifference(a[i]!, b[i]))
  return { data, vectors }
}

/** Where two vector entries differ: their ids, or the first float32 whose bytes differ. */
function vectorDifference(before: string, after: string | undefined): string {
  const [id, bits = ''] = before.split(' ')
  const [otherId, otherBits = ''] = after?.split(' ') ?? ['(none)']
  if (id !== otherId) return `Media vectors: ${id} before, ${otherId} in its place after`
  let f = 0
  while (f * 8 < bits.length && bits.slice(f * 8, f * 8 + 8) === otherBits.slice(f * 8, f * 8 + 8)) f++
  return `Media vector ${id}: float ${f} is ${bits.slice(f * 8, f * 8 + 8)} before, ${otherBits.slice(f * 8, f * 8 + 8) || '(none)'} after (bytes, little-endian)`
}

/** A nearest-neighbour hit. */
export interface Hit {
  id: string
  distance: number
}

/** Stores compute distances in float32 their own way; they agree to about 1e-6. */
export const sameDistance = (a: number, b: number) => Math.abs(a - b) <= 1e-5

/** Whether two stores answered a query alike: the same ids in the same order, at the same distances. */
export function sameHits(a: Hit[], b: Hit[]): boolean {
  return a.length === b.length && a.every((hit, i) => hit.id === b[i]!.id && sameDistance(hit.distance, b[i]!.distance))
}

/** Hits as the summary shows them. */
export function showHits(hits: Hit[]): string {
  return hits.map((hit) => `${hit.id} (${hit.distance.toFixed(4)})`).join(', ')
}
