import { Entity, EntityBackup } from 'koan-backup'

// searchable: its embedding text is title + description; backups keep the vectors keyed by that text
@EntityBackup({ embedding: { fields: ['title', 'description'], model: 'hashing-64' } })
export class Media extends Entity<Media> {
  id = ''
  title = ''
  description = ''
  contentUrl = ''
}
