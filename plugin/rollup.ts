import { koanBackup } from './index.js'

/** The koan-backup plugin for rollup. */
export default koanBackup.rollup
