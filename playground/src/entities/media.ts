import { Entity, EntityBackup } from 'koan-backup'

@EntityBackup()
export class Media extends Entity<Media> {
  id = ''
  title = ''
  description = ''
  contentUrl = ''
}
