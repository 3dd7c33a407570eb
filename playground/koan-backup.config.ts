import { defineBackupConfig, sqliteStore, sqliteVecStore } from 'koan-backup'
import { hashingEmbedder } from './src/embedder'

/** The app's embedder: local and deterministic; it counts its calls so the playground can show none happen on restore. */
export const embedder = hashingEmbedder()

// The playground's run-time configuration: an embedded SQLite file database, Media's embeddings in
// sqlite-vec (another embedded SQLite file), the embedder, and a demo key.
// (A real app reads its key from the environment, e.g. KOAN_BACKUP_KEY; never commit a key.)
export default defineBackupConfig({
  data: sqliteStore({ file: '.koan/app.db' }),
  vectors: sqliteVecStore({ file: '.koan/vectors.db' }),
  embedder,
  path: '.koan/backups',
  encryption: { keys: { demo: 'base64:cGxheWdyb3VuZC1kZW1vLWtleS0zMi1ieXRlcyEhISE=' } },
})
