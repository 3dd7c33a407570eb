import { koanBackup } from './index.js'

/** The koan-backup plugin for rspack. */
export default koanBackup.rspack
