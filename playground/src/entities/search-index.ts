import { Entity, EntityBackup } from 'koan-backup'

@EntityBackup({ enabled: false, reason: 'Derived view, rebuild from source' })
export class SearchIndex extends Entity<SearchIndex> {
  id = ''
  indexData = ''
}
