// `npm run playground`: build the playground with vite through the plugin (the coverage warning
// for the uncovered entity shows with its location), then run the built app under Node.
// `npm run playground -- --esbuild` (or `node playground/run.mjs --esbuild`) builds it with esbuild instead.
import { execFileSync, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const bundler = process.argv.includes('--esbuild') ? 'esbuild' : 'vite'
console.log(`\n── building the playground with ${bundler} ──`)
if (bundler === 'vite') await build({ root, configFile: `${root}vite.config.ts` })
else execFileSync(process.execPath, [`${root}build-esbuild.mjs`], { stdio: 'inherit' })
console.log('\n── running the built app (in playground/, data under playground/.koan/) ──')
rmSync(`${root}.koan`, { recursive: true, force: true })
// the app's exit code is the playground's: 1 when the restored data or vectors differ
const app = spawnSync(process.execPath, [`${root}dist/${bundler}/main.js`], { stdio: 'inherit', cwd: root })
process.exitCode = app.status ?? 1
