import type { Embedder } from 'koan-backup'

/** The model id Media declares in its `@EntityBackup({ embedding })` recipe. */
export const HASHING_MODEL = 'hashing-64'
const dimension = 64

/** An embedder that counts how often it ran and how many texts it embedded. */
export type CountingEmbedder = Embedder & { calls: number; texts: number }

/**
 * A deterministic local embedder: the words and character trigrams of a text are hashed (FNV-1a)
 * into 64 signed buckets, then L2-normalised to float32. No network, no model download, the same
 * vector for the same text on every machine — enough to show that a restore reuses stored vectors.
 */
export function hashingEmbedder(): CountingEmbedder {
  const embed = Object.assign(async (texts: string[], model: string) => {
    if (model !== HASHING_MODEL) throw new Error(`hashingEmbedder embeds with ${HASHING_MODEL}, not ${model}`)
    embed.calls++
    embed.texts += texts.length
    return texts.map(embedText)
  }, { calls: 0, texts: 0 })
  return embed
}

function embedText(text: string): Float32Array {
  const sums = new Float64Array(dimension)
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const features = [...words, ...words.flatMap((w) => trigrams(` ${w} `))]
  for (const f of features) {
    const h = fnv1a(f)
    // low bits pick the bucket, the top bit the sign, so unrelated features cancel out on average
    sums[h % dimension]! += h & 0x80000000 ? -1 : 1
  }
  const norm = Math.hypot(...sums) || 1
  return Float32Array.from(sums, (v) => v / norm)
}

function trigrams(word: string): string[] {
  return Array.from({ length: Math.max(0, word.length - 2) }, (_, i) => word.slice(i, i + 3))
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
