import { defineBackupScope } from 'koan-backup'

// the app requires each entity to opt in; uncovered ones are warned about at build time
export default defineBackupScope({ mode: 'none' })
