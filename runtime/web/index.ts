/**
 * `koan-backup/web`: the admin REST API as a web-standard handler, and its node:http adapter.
 */
export { createBackupHandler, type BackupHandler } from './handler.js'
export { toNodeListener, type NodeListener } from './node.js'
export { defaultHandlerOptions, type BackupHandlerOptions } from './options.js'
export { STATUS_OF, type HttpErrorCode } from './errors.js'
export { contentDisposition } from './download.js'
