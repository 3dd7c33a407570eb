import { koanBackup } from './index.js'

/** The koan-backup plugin for esbuild. */
export default koanBackup.esbuild
