import { koanBackup } from './index.js'

/** The koan-backup plugin for webpack. */
export default koanBackup.webpack
