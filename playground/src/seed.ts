import { descriptorOf, type VectorStore } from 'koan-backup'
import { backup, codecs } from 'koan-backup/registry'
import type { CountingEmbedder } from './embedder'
import { Media } from './entities/media'
import { User } from './entities/user'
import { LogEntry } from './entities/log-entry'

const words = ['koan', 'river', 'stone', 'cloud', 'garden', 'quiet', 'lantern', 'bamboo']

/** Sample rows of the playground's entities. */
export function sampleRows() {
  const media = Array.from({ length: 120 }, (_, i) => Object.assign(new Media(), {
    id: `media-${i}`, title: `${words[i % 8]} ${words[(i * 3) % 8]}`, description: `Part ${i} of a short series about ${words[(i * 5) % 8]}.`,
    contentUrl: `https://media.example/${i}.mp4`,
  }))
  const users = Array.from({ length: 25 }, (_, i) => Object.assign(new User(), {
    id: `user-${i}`, email: `user${i}@example.com`, passwordHash: `scrypt$${(i * 7919).toString(16)}`,
  }))
  const logs = Array.from({ length: 400 }, (_, i) => Object.assign(new LogEntry(), {
    id: `log-${i}`, message: `request ${i} served in ${(i * 37) % 250} ms`, timestamp: new Date(Date.UTC(2025, 9, 2, 15, 30, i % 60)),
  }))
  return { media, users, logs }
}

/** Media's vector collection in a vector store (created with `dimension` when missing). */
export function mediaVectors(store: VectorStore, dimension?: number) {
  return store.collection({ fullName: 'src.entities.media.Media', name: 'Media' }, dimension ? { dimension, metric: 'cosine' } : undefined)
}

/**
 * Fills the configured SQLite database with the sample rows, and the vector store with Media's
 * embeddings: computed once, here, by the embedder, from the same text the backups key them by.
 */
export async function seed(vectors: VectorStore, embed: CountingEmbedder) {
  const { media, users, logs } = sampleRows()
  const mediaCodec = codecs['src.entities.media.Media']
  await (await backup.store.collection(descriptorOf(mediaCodec))).upsert(media)
  await (await backup.store.collection(descriptorOf(codecs['src.entities.user.User']))).upsert(users)
  await (await backup.store.collection(descriptorOf(codecs['src.entities.log-entry.LogEntry']))).upsert(logs)
  const embeddings = await embed(media.map((m) => mediaCodec.embeddingText!(m)), mediaCodec.embedding!.model)
  const collection = await mediaVectors(vectors, embeddings[0]!.length)
  await collection.upsert(media.map((m, i) => ({ id: m.id, vector: Float32Array.from(embeddings[i]!) })))
  return { rows: media.length + users.length + logs.length, vectors: embeddings.length, dimension: collection.dimension }
}
