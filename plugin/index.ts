import { createUnplugin, type UnpluginFactory } from 'unplugin'
import { PluginContext } from './core/context.js'
import { formatDiagnostic } from './core/diagnostics.js'
import { combinedError, partition, esbuildMessages, pushToCompilation, rollupMessage } from './core/emit.js'
import {
  DATA_ID_FILTER, ESBUILD_NAMESPACE, isRegistryModule, OWN_RUNTIME_FILTER, REGISTRY_ID_FILTER, REGISTRY_IMPORT, RESOLVED_DATA_ID, RESOLVED_REGISTRY_ID, RUNTIME_ENTRIES, RUNTIME_ID_FILTER,
  SOURCE_ID_FILTER,
} from './core/virtual.js'

import type { ViteDevServer } from 'vite'
import type { KoanBackupOptions } from './types.js'

export type { KoanBackupOptions, PluginLogger, SymbolSpec } from './types.js'

type CompilerLike = {
  hooks: { thisCompilation: { tap(name: string, fn: (compilation: { warnings: unknown[]; errors: unknown[] }) => void): void } }
  options?: { context?: string }
  webpack?: { WebpackError?: new (message: string) => Error }
  rspack?: { WebpackError?: new (message: string) => Error }
}

function webpackLike(ctx: PluginContext) {
  return (compiler: CompilerLike) => {
    const ErrorClass = compiler.webpack?.WebpackError ?? compiler.rspack?.WebpackError ?? Error
    compiler.hooks.thisCompilation.tap('koan-backup', (compilation) => {
      ctx.configure(compiler.options?.context)
      ctx.refresh()
      ctx.report()
      pushToCompilation(compilation, ctx.diagnostics, (m) => new ErrorClass(m))
    })
  }
}

/** The plugin factory shared by every bundler entry. */
export const unpluginFactory: UnpluginFactory<KoanBackupOptions | undefined, false> = (options, meta) => {
  const ctx = new PluginContext(options ?? {})
  const rollupLike = meta.framework === 'rollup' || meta.framework === 'vite' || meta.framework === 'rolldown'
  let devServer: ViteDevServer | null = null
  return {
    name: 'koan-backup',
    enforce: 'pre',
    buildStart() {
      if (!rollupLike) return
      ctx.refresh()
      ctx.report()
      const self = this as unknown as { warn(m: unknown): void; error(m: unknown): never }
      const { errors, warnings } = partition(ctx.diagnostics)
      for (const d of warnings) self.warn(rollupMessage(d, ctx.options.root))
      if (errors.length) self.error(combinedError(errors, ctx.options.root))
    },
    resolveId: {
      filter: { id: /^(?:koan-backup\/(?:registry|reg-data|codec|engine)|virtual:koan-backup)$/ },
      handler(id, importer) {
        // esbuild gets the module from its own namespace in `esbuild.setup` (it needs an existing resolveDir)
        if (meta.framework === 'esbuild') return null
        if (REGISTRY_ID_FILTER.test(id)) return RESOLVED_REGISTRY_ID
        if (DATA_ID_FILTER.test(id)) return RESOLVED_DATA_ID
        if (RUNTIME_ID_FILTER.test(id) && isRegistryModule(importer)) return RUNTIME_ENTRIES[id]!
        return null
      },
    },
    load: {
      filter: { id: { include: [RESOLVED_REGISTRY_ID, RESOLVED_DATA_ID] } },
      handler(id) {
        if (meta.framework === 'esbuild') return null
        if (id === RESOLVED_REGISTRY_ID) return ctx.moduleCode()
        if (id !== RESOLVED_DATA_ID) return null
        // the registry-only module is in every build that reads the registry (the full module imports it too).
        // The registry depends on every scanned file, imported or not: watch modes must rebuild on any of them
        // (a one-off build skips it: a thousand calls into the bundler cost it ~50 ms in a fresh process)
        const code = ctx.dataCode()
        const watching = (this as unknown as { meta?: { watchMode?: boolean } }).meta?.watchMode !== false
        if (watching) for (const file of ctx.watchFiles()) this.addWatchFile(file)
        return code
      },
    },
    transform: {
      // the generated modules are excluded: under esbuild, unplugin replaces a load result's watchFiles with the transform's;
      // so are packages and this package's own runtime
      filter: { id: { include: [SOURCE_ID_FILTER], exclude: [/node_modules/, OWN_RUNTIME_FILTER, RESOLVED_REGISTRY_ID, RESOLVED_DATA_ID] }, code: { include: ['EntityBackup', REGISTRY_IMPORT] } },
      handler(code, id) {
        // a decorator in a file the scan does not read: reported here (KB035), where every bundler can warn
        const self = this as unknown as { warn?(m: unknown): void; error?(m: unknown): never }
        return ctx.transform(code, id, (d) => {
          const message = rollupLike ? rollupMessage(d, ctx.options.root) : `[koan-backup] ${formatDiagnostic(d)}`
          if (d.severity === 'error' && self.error) self.error(message)
          else if (self.warn) self.warn(message)
          else ctx.logger.warn(typeof message === 'string' ? message : message.message)
        })
      },
    },
    buildEnd() {
      ctx.buildEnd()
    },
    watchChange(id) {
      // vite dev calls this for every change, add and delete under its watcher
      if (!ctx.update(id) || !devServer) return
      const graphs = [devServer.moduleGraph, ...Object.values(devServer.environments ?? {}).map((e) => e.moduleGraph)]
      for (const graph of graphs) {
        for (const id of [RESOLVED_REGISTRY_ID, RESOLVED_DATA_ID]) {
          const mod = graph?.getModuleById(id)
          if (mod) graph.invalidateModule(mod as never)
        }
      }
      ctx.report()
      for (const d of ctx.diagnostics) if (d.severity !== 'info') ctx.logger.warn(rollupMessage(d, ctx.options.root).message)
    },
    vite: {
      configResolved(config) {
        ctx.configure(config.root, { info: (m) => config.logger.info(m), warn: (m) => config.logger.warn(m) })
      },
      configureServer(server) {
        devServer = server
      },
    },
    esbuild: {
      setup(build) {
        build.onResolve({ filter: REGISTRY_ID_FILTER }, () => ({ path: RESOLVED_REGISTRY_ID, namespace: ESBUILD_NAMESPACE }))
        build.onResolve({ filter: DATA_ID_FILTER }, () => ({ path: RESOLVED_DATA_ID, namespace: ESBUILD_NAMESPACE }))
        build.onResolve({ filter: RUNTIME_ID_FILTER, namespace: ESBUILD_NAMESPACE }, (args) => ({ path: RUNTIME_ENTRIES[args.path]! }))
        // the registry-only module is in every build that reads the registry: it carries the watch files
        build.onLoad({ filter: /.*/, namespace: ESBUILD_NAMESPACE }, (args) => args.path === RESOLVED_DATA_ID
          ? { contents: ctx.dataCode(), loader: 'js', resolveDir: ctx.options.root, watchFiles: ctx.watchFiles() }
          : { contents: ctx.moduleCode(), loader: 'js', resolveDir: ctx.options.root })
        build.onStart(() => {
          ctx.configure(build.initialOptions.absWorkingDir)
          ctx.refresh()
          ctx.report()
          return esbuildMessages(ctx.diagnostics, ctx.options.root)
        })
      },
    },
    webpack: webpackLike(ctx) as never,
    rspack: webpackLike(ctx) as never,
  }
}

/** The koan-backup plugin for every bundler unplugin supports. */
export const koanBackup = /* #__PURE__ */ createUnplugin(unpluginFactory)
export default koanBackup
