import { build } from 'esbuild'
import koanBackup from 'koan-backup/plugin/esbuild'
import type { EntityCodec } from '../../runtime/schema/codec.js'
import type { BackupRegistry } from '../../runtime/types.js'
import { fixture } from '../helpers.js'

/** What a bundled fixture exposes: the generated registry and codecs, and the fixture's own exports. */
export interface LoadedRegistry {
  registry: BackupRegistry
  codecs: Record<string, EntityCodec<any>>
  [name: string]: unknown
}

/** Builds `koan-backup/registry` of a fixture with esbuild through the plugin and imports it (plus `modules`' exports). */
export async function loadRegistry(name: string, modules: string[] = []): Promise<LoadedRegistry> {
  const root = fixture(name)
  const out = await build({
    stdin: {
      contents: [`export { registry, codecs } from 'koan-backup/registry'`, ...modules.map((m) => `export * from ${JSON.stringify(m)}`)].join('\n'),
      resolveDir: root, loader: 'ts',
    },
    bundle: true, write: false, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
    plugins: [koanBackup({ root, dts: false, report: false })],
  })
  const code = out.outputFiles[0]!.text
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`) as Promise<LoadedRegistry>
}
