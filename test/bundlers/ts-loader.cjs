// A minimal webpack loader for the bundler tests: TypeScript → ES2022 ESM with esbuild.
const { transformSync } = require('esbuild')

/** @this {{ resourcePath: string }} */
module.exports = function tsLoader(source) {
  const { code } = transformSync(source, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: this.resourcePath })
  return code
}
