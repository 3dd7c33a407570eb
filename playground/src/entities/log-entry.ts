import { Entity, EntityBackup } from 'koan-backup'

// high volume: keep backups lean, no schema
@EntityBackup({ includeSchema: false })
export class LogEntry extends Entity<LogEntry> {
  id = ''
  message = ''
  timestamp = new Date()
}
