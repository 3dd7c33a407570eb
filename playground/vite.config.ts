import { defineConfig } from 'vite'
import koanBackup from 'koan-backup/plugin/vite'

// a Node (SSR) build of the playground app; the plugin scans src/, warns and serves koan-backup/registry
export default defineConfig({
  plugins: [koanBackup()],
  build: { ssr: 'src/main.ts', outDir: 'dist/vite', emptyOutDir: true, target: 'node20' },
})
