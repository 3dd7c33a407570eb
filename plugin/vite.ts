import { koanBackup } from './index.js'

/** The koan-backup plugin for vite. */
export default koanBackup.vite
