import { defineBackupConfig, sqliteStore } from 'koan-backup'

// The playground's run-time configuration: an embedded SQLite file database and a demo key.
// (A real app reads its key from the environment, e.g. KOAN_BACKUP_KEY; never commit a key.)
export default defineBackupConfig({
  data: sqliteStore({ file: '.koan/app.db' }),
  path: '.koan/backups',
  encryption: { keys: { demo: 'base64:cGxheWdyb3VuZC1kZW1vLWtleS0zMi1ieXRlcyEhISE=' } },
})
