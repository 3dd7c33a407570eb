#!/usr/bin/env node
// Bundles the build plugin's entry points after `tsc` (part of `npm run build`): each entry in dist/plugin/ becomes a
// small module over one shared chunk in dist/plugin/chunks/, so a bundler that loads the plugin reads a few files
// instead of ~40 (about 13 ms less per fresh process). Packages (unplugin, ts-morph) stay external. The chunk sits
// at the depth of dist/plugin/core/, so paths the plugin computes from its own URL are the same in both layouts.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

const ENTRIES = ['index', 'vite', 'esbuild', 'rollup', 'webpack', 'rspack']

rmSync('dist/plugin/chunks', { recursive: true, force: true })
await build({
  entryPoints: ENTRIES.map((name) => `dist/plugin/${name}.js`),
  outdir: 'dist/plugin',
  outbase: 'dist/plugin',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  // the inputs carry tsc's source maps: the bundle's map points at the TypeScript sources
  sourcemap: true,
  logLevel: 'warning',
})
