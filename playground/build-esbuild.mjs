// The same playground built with esbuild through the plugin.
import { build } from 'esbuild'
import koanBackup from 'koan-backup/plugin/esbuild'

const root = new URL('.', import.meta.url).pathname
await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/esbuild/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  plugins: [koanBackup()],
})
