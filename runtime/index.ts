/**
 * koan-backup runtime: the markers the build plugin reads (`Entity`, `@EntityBackup`,
 * `defineBackupScope`), the registry types and the inventory report.
 */
export { Entity, EntityBackup, defineBackupScope, getEntityBackupOptions, type EntityBackupDecorator } from './markers.js'
export { formatReport, type ReportLine, reportLines } from './report.js'
export type * from './types.js'
