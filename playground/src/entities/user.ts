import { Entity, EntityBackup } from 'koan-backup'

// personal data: encrypted at rest in every backup
@EntityBackup({ encrypt: true })
export class User extends Entity<User> {
  id = ''
  email = ''
  passwordHash = ''
}
