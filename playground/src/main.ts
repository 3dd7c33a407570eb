import { readdirSync } from 'node:fs'
import { descriptorOf, sqliteStore } from 'koan-backup'
import { backup, codecs, registry } from 'koan-backup/registry'
import config from '../koan-backup.config'
import { sampleRows } from './seed'

/** Every row of every included entity in the current store, as stored JSON, by entity. */
async function snapshot(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const [fullName, codec] of Object.entries(codecs)) {
    const rows: string[] = []
    for await (const row of (await backup.store.collection(descriptorOf(codec))).stream()) rows.push(codec.serialize(row))
    out[fullName] = rows
  }
  return out
}

// 1. seed the embedded SQLite database (the boot report prints on first use of the backup API)
const { media, users, logs } = sampleRows()
const put = async (fullName: string, rows: unknown[]) => (await backup.store.collection(descriptorOf(codecs[fullName as keyof typeof codecs]!))).upsert(rows)
await put('src.entities.media.Media', media)
await put('src.entities.user.User', users)
await put('src.entities.log-entry.LogEntry', logs)
const before = await snapshot()

// 2. back everything up: one timestamp, User encrypted, LogEntry without schema
const created = await backup.create()
console.log(`\nbackup ${created.timestamp}: ${created.entityCount} rows, ${created.sizeBytes} bytes in ${created.durationMs} ms`)
for (const r of created.entities) console.log(`  ${r.entity}: ${r.entityCount} rows, ${r.sizeBytes} bytes${r.encrypted ? ', encrypted' : ''}`)
console.log(`  files: ${readdirSync(`${config.path}/src.entities.user.User/${created.timestamp}`).join(', ')} (User)`)

// 3. wipe: switch to a new, empty database, and restore into it
backup.configure({ ...config, data: sqliteStore({ file: '.koan/restored.db' }) })
const restored = await backup.restore({ timestamp: created.timestamp })
console.log(`restore: ${restored.inserted} rows inserted, ${restored.skipped} skipped (verified before writing)`)

// 4. the restored database holds exactly what was backed up
const after = await snapshot()
const same = Object.keys(before).every((k) => JSON.stringify(before[k]) === JSON.stringify(after[k]))
const included = registry.entities.filter((e) => e.status === 'included').map((e) => e.name)
console.log(`\nplayground: ${registry.entities.length} entities scanned, ${included.length} backed up (${included.join(', ')}); restored data ${same ? 'identical' : 'DIFFERENT'} to the original`)
if (!same) process.exitCode = 1
