/**
 * TypeScript's compiler options as a tsconfig gives them, converted the way TypeScript converts them
 * (\`convertCompilerOptionsFromJson\`), for the options whose conversion needs no TypeScript. Anything
 * else (an option not listed here, a value of another type, \`rootDirs\`, \`moduleSuffixes\`, \`plugins\`, a
 * case variant of the \`\${configDir}\` template) makes the conversion give up, and TypeScript reads the config.
 */
import { posix } from 'node:path'

const BOOLEAN = new Set([
  'pretty', 'incremental', 'declaration', 'declarationMap', 'emitDeclarationOnly', 'sourceMap', 'inlineSourceMap',
  'noCheck', 'noEmit', 'assumeChangesOnlyAffectDirectDependencies', 'allowJs', 'checkJs', 'composite',
  'removeComments', 'importHelpers', 'downlevelIteration', 'isolatedModules', 'verbatimModuleSyntax',
  'isolatedDeclarations', 'erasableSyntaxOnly', 'libReplacement', 'strict', 'noImplicitAny', 'strictNullChecks',
  'strictFunctionTypes', 'strictBindCallApply', 'strictPropertyInitialization', 'strictBuiltinIteratorReturn',
  'stableTypeOrdering', 'noImplicitThis', 'useUnknownInCatchVariables', 'alwaysStrict', 'noUnusedLocals',
  'noUnusedParameters', 'exactOptionalPropertyTypes', 'noImplicitReturns', 'noFallthroughCasesInSwitch',
  'noUncheckedIndexedAccess', 'noImplicitOverride', 'noPropertyAccessFromIndexSignature',
  'allowSyntheticDefaultImports', 'esModuleInterop', 'preserveSymlinks', 'allowUmdGlobalAccess',
  'allowImportingTsExtensions', 'rewriteRelativeImportExtensions', 'resolvePackageJsonExports',
  'resolvePackageJsonImports', 'noUncheckedSideEffectImports', 'inlineSources', 'experimentalDecorators',
  'emitDecoratorMetadata', 'resolveJsonModule', 'allowArbitraryExtensions', 'skipDefaultLibCheck', 'emitBOM',
  'noErrorTruncation', 'noLib', 'noResolve', 'stripInternal', 'disableSizeLimit',
  'disableSourceOfProjectReferenceRedirect', 'disableSolutionSearching', 'disableReferencedProjectLoad',
  'noImplicitUseStrict', 'noEmitHelpers', 'noEmitOnError', 'preserveConstEnums', 'skipLibCheck', 'allowUnusedLabels',
  'allowUnreachableCode', 'suppressExcessPropertyErrors', 'suppressImplicitAnyIndexErrors',
  'forceConsistentCasingInFileNames', 'noStrictGenericChecks', 'useDefineForClassFields', 'preserveValueImports',
  'keyofStringsOnly',
])

const TEXT = new Set(['sourceRoot', 'mapRoot', 'jsxFactory', 'jsxFragmentFactory', 'jsxImportSource', 'reactNamespace', 'ignoreDeprecations'])

/** Paths: made absolute against the config's folder. */
const PATH = new Set(['outFile', 'outDir', 'rootDir', 'tsBuildInfoFile', 'declarationDir', 'baseUrl'])

/** Enumerations: the value, lowercased, names a number. */
const ENUM: Record<string, Record<string, number>> = {
  target: { es3: 0, es5: 1, es6: 2, es2015: 2, es2016: 3, es2017: 4, es2018: 5, es2019: 6, es2020: 7, es2021: 8, es2022: 9, es2023: 10, es2024: 11, es2025: 12, esnext: 99 },
  module: { none: 0, commonjs: 1, amd: 2, system: 4, umd: 3, es6: 5, es2015: 5, es2020: 6, es2022: 7, esnext: 99, node16: 100, node18: 101, node20: 102, nodenext: 199, preserve: 200 },
  jsx: { preserve: 1, 'react-native': 3, 'react-jsx': 4, 'react-jsxdev': 5, react: 2 },
  moduleResolution: { node10: 2, node: 2, classic: 1, node16: 3, nodenext: 99, bundler: 100 },
  newLine: { crlf: 0, lf: 1 },
  moduleDetection: { auto: 2, legacy: 1, force: 3 },
}

/** \`lib\` names whose file is \`lib.<name>.d.ts\`. */
const LIB = new Set([
  'es5', 'es2015', 'es2016', 'es2017', 'es2018', 'es2019', 'es2020', 'es2021', 'es2022', 'es2023', 'es2024',
  'es2025', 'esnext', 'dom', 'dom.iterable', 'dom.asynciterable', 'webworker', 'webworker.importscripts',
  'webworker.iterable', 'webworker.asynciterable', 'scripthost', 'es2015.core', 'es2015.collection',
  'es2015.generator', 'es2015.iterable', 'es2015.promise', 'es2015.proxy', 'es2015.reflect', 'es2015.symbol',
  'es2015.symbol.wellknown', 'es2016.array.include', 'es2016.intl', 'es2017.arraybuffer', 'es2017.date',
  'es2017.object', 'es2017.sharedmemory', 'es2017.string', 'es2017.intl', 'es2017.typedarrays',
  'es2018.asyncgenerator', 'es2018.asynciterable', 'es2018.intl', 'es2018.promise', 'es2018.regexp', 'es2019.array',
  'es2019.object', 'es2019.string', 'es2019.symbol', 'es2019.intl', 'es2020.bigint', 'es2020.date', 'es2020.promise',
  'es2020.sharedmemory', 'es2020.string', 'es2020.symbol.wellknown', 'es2020.intl', 'es2020.number',
  'es2021.promise', 'es2021.string', 'es2021.weakref', 'es2021.intl', 'es2022.array', 'es2022.error', 'es2022.intl',
  'es2022.object', 'es2022.string', 'es2022.regexp', 'es2023.array', 'es2023.collection', 'es2023.intl',
  'es2024.arraybuffer', 'es2024.collection', 'es2024.object', 'es2024.promise', 'es2024.regexp',
  'es2024.sharedmemory', 'es2024.string', 'es2025.collection', 'es2025.float16', 'es2025.intl', 'es2025.iterator',
  'es2025.promise', 'es2025.regexp', 'esnext.array', 'esnext.collection', 'esnext.date', 'esnext.decorators',
  'esnext.disposable', 'esnext.error', 'esnext.intl', 'esnext.sharedmemory', 'esnext.temporal', 'esnext.typedarrays',
  'decorators', 'decorators.legacy',
])

/** \`lib\` names with another file. */
const LIB_FILES: Record<string, string> = {
  es6: 'lib.es2015.d.ts', es7: 'lib.es2016.d.ts', 'esnext.asynciterable': 'lib.es2018.asynciterable.d.ts', 'esnext.symbol': 'lib.es2019.symbol.d.ts',
  'esnext.bigint': 'lib.es2020.bigint.d.ts', 'esnext.weakref': 'lib.es2021.weakref.d.ts', 'esnext.object': 'lib.es2024.object.d.ts',
  'esnext.regexp': 'lib.es2024.regexp.d.ts', 'esnext.string': 'lib.es2024.string.d.ts', 'esnext.float16': 'lib.es2025.float16.d.ts',
  'esnext.iterator': 'lib.es2025.iterator.d.ts', 'esnext.promise': 'lib.es2025.promise.d.ts',
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

/** TypeScript's template for the folder of the config being read (`"outDir": "${configDir}/dist"` in a shared base). */
export const CONFIG_DIR = '${configDir}'

/**
 * How a path option's value is taken: `template` when it starts with `${configDir}` (kept as it is: replaced once the
 * whole config is read, `withConfigDir`), `path` otherwise, `null` for a case variant of the template (`${CONFIGDIR}`),
 * which TypeScript takes for a template and does not replace: left to it.
 */
export function templateKind(value: string): 'template' | 'path' | null {
  if (value.startsWith(CONFIG_DIR)) return 'template'
  return value.toLowerCase().startsWith(CONFIG_DIR.toLowerCase()) ? null : 'path'
}

/** A value starting with the `${configDir}` template as TypeScript replaces it (the absolute path under `root`); any other value as it is. */
export function replaceConfigDir<T>(value: T, root: string): T | string {
  return typeof value === 'string' && templateKind(value) === 'template' ? absolutePath(value.replace(CONFIG_DIR, './'), root) : value
}

/** A path option's value made absolute against `base`, or kept when it starts with the template; `undefined` for a case variant of it. */
function pathValue(value: string, base: string): string | undefined {
  const kind = templateKind(value)
  return kind === null ? undefined : kind === 'template' ? value : absolutePath(value, base)
}

/**
 * The options of a whole config with `${configDir}` replaced by the folder of the config read (`root`), in the path
 * options, `typeRoots` and `paths`, as TypeScript replaces it; keys keep their order.
 */
export function withConfigDir(options: Record<string, unknown>, root: string): Record<string, unknown> {
  const at = (v: unknown) => replaceConfigDir(v, root)
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(options)) {
    if (PATH.has(name)) out[name] = at(value)
    else if (name === 'typeRoots' && Array.isArray(value)) out[name] = value.map(at)
    else if (name === 'paths' && value && typeof value === 'object') out[name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map(at) : v]))
    else out[name] = value
  }
  return out
}

/** An absolute, normalised path (forward slashes, no trailing slash), as TypeScript makes file-path options. */
export function absolutePath(value: string, base: string): string {
  const path = posix.resolve(base, value.replaceAll('\\', '/'))
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

function libFile(name: string): string | undefined {
  const key = name.toLowerCase()
  return LIB_FILES[key] ?? (LIB.has(key) ? `lib.${key}.d.ts` : undefined)
}

/** One option's converted value; \`undefined\` when TypeScript must convert it. */
function convert(name: string, value: unknown, base: string): unknown {
  if (BOOLEAN.has(name)) return typeof value === 'boolean' ? value : undefined
  if (TEXT.has(name)) return typeof value === 'string' ? value : undefined
  // (`${configDir}` is replaced when TypeScript parses the whole config)
  if (PATH.has(name)) return typeof value === 'string' && value !== '' ? pathValue(value, base) : undefined
  const values = ENUM[name]
  if (values) return typeof value === 'string' && Object.hasOwn(values, value.toLowerCase()) ? values[value.toLowerCase()] : undefined
  if (name === 'lib') {
    if (!isStringList(value)) return undefined
    const files = value.map(libFile)
    return files.every((f) => f !== undefined) ? files : undefined
  }
  if (name === 'types' || name === 'customConditions') return isStringList(value) ? [...value] : undefined
  if (name === 'typeRoots') {
    if (!isStringList(value) || !value.every((v) => v !== '')) return undefined
    const paths = value.map((v) => pathValue(v, base))
    return paths.every((v) => v !== undefined) ? paths : undefined
  }
  // as written (TypeScript adds `pathsBasePath`, the config's folder, when it parses the config): keys to lists of
  // substitutions
  if (name === 'paths') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    return Object.values(value).every((v) => isStringList(v) && v.every((s) => templateKind(s) !== null)) ? value : undefined
  }
  if (name === 'maxNodeModuleJsDepth') return typeof value === 'number' ? value : undefined
  return undefined
}

/**
 * The compiler options of a config's \`compilerOptions\` object (its folder: \`base\`), in the order
 * given, with \`configFilePath\` last as TypeScript adds it; \`null\` when TypeScript must convert them.
 */
export function convertOptions(json: unknown, base: string, configFilePath: string): Record<string, unknown> | null {
  if (json === undefined) return { configFilePath }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null
  const options: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(json)) {
    const converted = convert(name, value, base)
    if (converted === undefined) return null
    options[name] = converted
  }
  options.configFilePath = configFilePath
  return options
}

/** The tables above (for tests that hold them to TypeScript's own conversion). */
export const OPTION_TABLES = { BOOLEAN, TEXT, PATH, ENUM, LIB, LIB_FILES } as const
