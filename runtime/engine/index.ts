/**
 * `koan-backup/engine`: what the generated registry module imports to bind the `backup` API.
 */
export { createBackup, type BackupApi, type BackupInfo, type BackupOptions, type BackupRuntimeInput, type BackupSetResult, type Capabilities, type EntityBackupApi, type RestoreOptions, type RestoreSetResult } from './api.js'
export type { BackupResult } from './create.js'
export type { RestoreResult } from './restore.js'
export type { VerifyReport } from './verify.js'
export type { VerifyOptions } from './api.js'
export type { ProgressEvent, ProgressListener, ProgressPhase } from './progress.js'
export type { OpenedBackup, OpenedFile } from './export.js'
export type { PrunedBackup, RetentionPolicy } from './retention.js'
