import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { posix } from 'node:path'
import { absolutePath, CONFIG_DIR, convertOptions, replaceConfigDir, templateKind, withConfigDir } from './tsconfig-options.js'

/**
 * Reading a tsconfig without TypeScript, for the configs whose reading is known exactly: `extends` of
 * other configs (by path, or a package's without `exports`), no `files` but the empty one of a solution config (with
 * `references`, which are returned);
 * `include` and `exclude` patterns made of plain folder and file
 * names, `**` folders and a last `*` or `*.ext`; compiler options `tsconfig-options.ts` converts; a
 * case-sensitive file system and no symbolic links on the way. The files listed are what
 * TypeScript lists for the config (its `fileNames`), among those the scan reads. Any other config
 * returns `null` and TypeScript reads it.
 */

/** Folders that `**` and `*` never enter (TypeScript's implicit exclusions for wildcards). */
const IMPLICITLY_EXCLUDED = new Set(['node_modules', 'bower_components', 'jspm_packages'])

/** The extensions TypeScript lists files with (`allowJs` adds JavaScript ones, which the scan does not read). */
const SOURCE = /\.(?:d\.)?(?:[cm]ts|tsx?)$/

/** A pattern, split into path components (the first is `''`, the root). */
type Pattern = string[]

/** The text of a JSON file with comments and trailing commas, as plain JSON (comments and those commas become spaces). */
export function stripJsonc(text: string): string {
  let out = ''
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let from = i
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      i++
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i)
      out += text.slice(from, i)
      i = end < 0 ? text.length : end
      from = i
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) return '\u0000' // unterminated: not JSON
      out += `${text.slice(from, i)} `
      i = end + 2
      from = i
    } else i++
  }
  out += text.slice(from)
  return out.replace(/("(?:[^"\\]|\\.)*")|,(\s*[}\]])/g, (_match, str: string | undefined, close: string | undefined) => str ?? ` ${close}`)
}

/** An `include` entry naming one file: no wildcard, and a dot in its last part (else it names a folder's contents). */
function isLiteralFile(spec: string): boolean {
  const last = spec.slice(spec.lastIndexOf('/') + 1)
  return spec !== '' && !/[*?[\]{}\\]/.test(spec) && last.includes('.') && last !== '.' && last !== '..'
}

/** A pattern of `include` (`usage: 'include'`) or `exclude`, or `null` when this module does not read it exactly. */
function pattern(spec: unknown, base: string, usage: 'include' | 'exclude'): Pattern | null {
  if (typeof spec !== 'string' || spec === '' || spec.includes('\\') || /[?[\]{}]/.test(spec)) return null
  const parts = absolutePath(spec, base).split('/')
  if (parts[0] !== '') return null
  const last = parts.at(-1)!
  if (usage === 'include' && !/[.*]/.test(last)) parts.push('**', '*') // a folder: everything below it
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!
    if (part === '**') { if (i === parts.length - 1) return null; continue }
    if (!part.includes('*')) { if (part === '' || part === '.' || part === '..') return null; continue }
    // a wildcard only as a whole last component, or `*.ext`
    if (i !== parts.length - 1 || !/^\*(\.[A-Za-z0-9.]+)?$/.test(part)) return null
  }
  // a plain file path in `include` is listed even when hidden folders or node_modules hold it: left to TypeScript
  if (usage === 'include' && !parts.some((p) => p.includes('*'))) return null
  return parts
}

/** Whether a name matches a last component `*` or `*.ext` (include: never a name starting with `.`, nor `*.min.js`). */
function nameMatches(part: string, name: string, usage: 'include' | 'exclude'): boolean {
  if (!part.includes('*')) return part === name
  const ext = part.slice(1)
  if (usage === 'exclude') return name.endsWith(ext)
  // TypeScript's `*` before a name's first character cannot take a dot, but may take nothing (`*.ts` matches `.ts`)
  if (name.endsWith('.min.js')) return false
  return name === ext || (!name.startsWith('.') && name.length > ext.length && name.endsWith(ext))
}

/** Whether `path` (components) matches an include pattern fully; with `asFolder`, whether something below it can. */
function includes(p: Pattern, path: string[], asFolder: boolean, i = 0, j = 0): boolean {
  for (;;) {
    if (j === path.length) return asFolder ? i < p.length : i === p.length
    if (i === p.length) return false
    const part = p[i]!
    if (part === '**') {
      // zero folders, or this one (never a hidden folder or node_modules) and maybe more
      if (includes(p, path, asFolder, i + 1, j)) return true
      const name = path[j]!
      if (j === path.length - 1 && !asFolder) return false
      if (name.startsWith('.') || IMPLICITLY_EXCLUDED.has(name)) return false
      j++
      continue
    }
    if (!nameMatches(part, path[j]!, 'include')) return false
    if (part.includes('*') && (asFolder || j !== path.length - 1)) return false // the wildcard names files only
    i++
    j++
  }
}

/** Whether `path` (components) is an exclude pattern's match or lies below one. */
function excludes(p: Pattern, path: string[], i = 0, j = 0): boolean {
  for (;;) {
    if (i === p.length) return true
    if (j === path.length) return false
    const part = p[i]!
    if (part === '**') {
      for (let k = j; k <= path.length; k++) if (excludes(p, path, i + 1, k)) return true
      return false
    }
    if (!nameMatches(part, path[j]!, 'exclude')) return false
    i++
    j++
  }
}

/** The folder below which a pattern can match: its components before the first wildcard. */
function basePath(p: Pattern): string {
  const at = p.findIndex((part) => part.includes('*'))
  return p.slice(0, at).join('/') || '/'
}

/** The listing of a config TypeScript would give, or `null` when it must read the config itself. */
export interface QuickConfig {
  files: string[]
  compilerOptions: Record<string, unknown>
  /** The configs of its `references` (a folder's `tsconfig.json`), in order. */
  references: string[]
  /** Every config file read: itself, and those it extends. */
  configs: string[]
  /** The node_modules folders looked in for a package's config (one created nearer later is another config). */
  probed: string[]
}

/** What reading a config went through: config files read, node_modules folders looked in. */
interface Reads {
  configs: string[]
  probed: string[]
}

/** The config file a project reference names: itself when it names a `.json` file, else the folder's `tsconfig.json`. */
export function referencedConfig(path: string, base: string): string {
  const full = absolutePath(path, base)
  return full.endsWith('.json') ? full : `${full === '/' ? '' : full}/tsconfig.json`
}

/** A config as TypeScript reads it before listing: its options merged over those it extends, and its raw lists. */
interface Layer {
  /** Converted options, without `configFilePath` (`pathsBasePath` where `paths` was set). */
  options: Record<string, unknown>
  /** `include`, `exclude` and `files` as written, or as inherited (made relative to this config's folder). */
  lists: Record<'include' | 'exclude' | 'files', unknown>
  raw: Record<string, unknown>
}

const LISTS = ['include', 'exclude', 'files'] as const

/**
 * The config file an `extends` entry names: a path (`./tsconfig.base.json`, `../base`, `.json` added when the file
 * without it is not there), or a package's config. `null` for what TypeScript must resolve, or a file that is not
 * there.
 */
function extendedConfig(spec: unknown, base: string, probed: string[]): string | null {
  if (typeof spec !== 'string' || spec.includes('\\') || spec.includes(':')) return null
  if (!(spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/'))) return packageConfig(spec, base, probed)
  const path = absolutePath(spec, base)
  if (isFile(path)) return path
  return !path.endsWith('.json') && isFile(`${path}.json`) ? `${path}.json` : null
}

/**
 * A package's config (`@tsconfig/node20/tsconfig.json`, `@tsconfig/strictest`), found as TypeScript finds it in the
 * nearest `node_modules/<name>` from the config's folder up, for a package without `exports`: the subpath (`.json`
 * added when the file without it is not there), else its `tsconfig` field, else its `tsconfig.json`; the file where it
 * really is. `null` when TypeScript must resolve it. `probed` collects the folders looked at.
 */
function packageConfig(spec: string, base: string, probed: string[]): string | null {
  const parts = spec.split('/')
  const size = spec.startsWith('@') ? 2 : 1
  if (parts.length < size || parts.some((p) => p === '' || p === '.' || p === '..')) return null
  const name = parts.slice(0, size).join('/')
  const sub = parts.slice(size).join('/')
  for (let dir = base; ; dir = posix.dirname(dir)) {
    const folder = `${dir === '/' ? '' : dir}/node_modules/${name}`
    // (a folder created nearer later is another config)
    probed.push(folder)
    if (isFolder(folder)) {
      let manifest: Record<string, unknown> = {}
      try {
        manifest = JSON.parse(readFileSync(`${folder}/package.json`, 'utf8')) as Record<string, unknown>
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return null
      }
      if (!manifest || typeof manifest !== 'object' || manifest.exports !== undefined) return null
      const field = typeof manifest.tsconfig === 'string' ? manifest.tsconfig : 'tsconfig.json'
      let file = posix.join(folder, sub === '' ? field : sub)
      if (!isFile(file) && !file.endsWith('.json')) file = `${file}.json`
      if (!isFile(file)) return null
      try {
        return realpathSync(file).replaceAll('\\', '/')
      } catch {
        return null
      }
    }
    if (dir === '/' || posix.dirname(dir) === dir) return null
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * Reads one config and, first, those it extends (TypeScript's `parseConfig`): their options, in order, under its
 * own; their `include`, `exclude` and `files` where it has none (the last that has one wins), relative to its folder.
 * `reads` collects the config files read and the node_modules folders looked in. `null` for what TypeScript must read.
 */
function readLayer(tsconfig: string, stack: string[], reads: Reads): Layer | null {
  if (stack.includes(tsconfig) || posix.basename(tsconfig) === 'jsconfig.json') return null
  reads.configs.push(tsconfig)
  let json: unknown
  try {
    json = JSON.parse(stripJsonc(readFileSync(tsconfig, 'utf8')))
  } catch {
    return null
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null
  const raw = json as Record<string, unknown>
  const base = posix.dirname(tsconfig)
  const own = convertOptions(raw.compilerOptions, base, tsconfig)
  if (!own) return null
  delete own.configFilePath
  // where `paths` is relative to without `baseUrl`, as TypeScript records it
  if (own.paths !== undefined) own.pathsBasePath = base
  const lists: Layer['lists'] = { include: raw.include, exclude: raw.exclude, files: raw.files }
  if (!('extends' in raw)) return { options: own, lists, raw }
  const specs = typeof raw.extends === 'string' ? [raw.extends] : raw.extends
  if (!Array.isArray(specs) || specs.length === 0) return null
  const options: Record<string, unknown> = {}
  const inherited: Partial<Layer['lists']> = {}
  for (const spec of specs) {
    const path = extendedConfig(spec, base, reads.probed)
    if (path === null) return null
    const layer = readLayer(path, [...stack, tsconfig], reads)
    if (!layer) return null
    const from = posix.relative(base, posix.dirname(path))
    for (const name of LISTS) {
      const list = layer.lists[name]
      if (raw[name] || !list) continue
      if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) return null
      // (a path starting with the `${configDir}` template stays as it is: it names the folder of the config read)
      inherited[name] = list.map((p: string) => (p.startsWith('/') || from === '' || templateKind(p) !== 'path' ? p : `${from}/${p}`))
    }
    Object.assign(options, layer.options)
  }
  for (const name of LISTS) if (inherited[name]) lists[name] = inherited[name]
  return { options: Object.assign(options, own), lists, raw }
}

/**
 * Reads `tsconfig` without TypeScript; `visitDir` is told every folder listed (for the listing's
 * stamps). `null`: TypeScript must read this config.
 */
export function readConfigQuick(tsconfig: string, visitDir: (dir: string) => void): QuickConfig | null {
  if (process.platform !== 'linux') return null // case-insensitive file systems: TypeScript compares names its own way
  const reads: Reads = { configs: [], probed: [] }
  const layer = readLayer(tsconfig, [], reads)
  if (!layer) return null
  const { raw, lists } = layer
  // `files` only as a solution config writes it (`"files": []`, with references): no files of its own
  const noFiles = lists.files !== undefined
  if (noFiles && !(Array.isArray(lists.files) && lists.files.length === 0 && lists.include === undefined)) return null
  const base = posix.dirname(tsconfig)
  let references: string[] = []
  if ('references' in raw) {
    const list = raw.references
    if (!Array.isArray(list) || !list.every((r) => r && typeof r === 'object' && typeof r.path === 'string' && r.path !== '' && !r.path.includes(CONFIG_DIR))) return null
    references = list.map((r: { path: string }) => referencedConfig(r.path, base))
  }
  // (an empty `files` without references is an error TypeScript reports)
  if (noFiles && references.length === 0) return null
  const compilerOptions: Record<string, unknown> = { ...withConfigDir(layer.options, base), configFilePath: tsconfig }
  // `${configDir}` in `include`, `exclude` and `files`: this config's folder
  for (const name of LISTS) {
    const list = lists[name]
    if (!Array.isArray(list)) continue
    if (list.some((p) => typeof p === 'string' && templateKind(p) === null)) return null
    lists[name] = list.map((p) => replaceConfigDir(p, base))
  }
  const includeSpecs = noFiles ? [] : lists.include === undefined ? ['**/*'] : lists.include
  if (!Array.isArray(includeSpecs)) return null
  // without `exclude`, TypeScript excludes outDir and declarationDir
  const excludeSpecs = lists.exclude === undefined ? [compilerOptions.outDir, compilerOptions.declarationDir].filter((d) => d !== undefined) : lists.exclude
  if (!Array.isArray(excludeSpecs)) return null
  // a file named outright (`"include": ["vite.config.ts"]`) is listed when it is there, hidden folders and node_modules
  // on its way or not: looked at apart from the walk
  const literals = includeSpecs.filter((s): s is string => typeof s === 'string' && isLiteralFile(s)).map((s) => absolutePath(s, base))
  const include = includeSpecs.filter((s) => !(typeof s === 'string' && isLiteralFile(s))).map((s) => pattern(s, base, 'include'))
  const exclude = excludeSpecs.map((s) => pattern(s, base, 'exclude'))
  if (include.some((p) => p === null) || exclude.some((p) => p === null)) return null
  const inc = include as Pattern[]
  const exc = exclude as Pattern[]
  const found = new Set<string>()
  const visited = new Set<string>()
  const walk = (dir: string): boolean => {
    if (visited.has(dir)) return true
    visited.add(dir)
    visitDir(dir)
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return true
    }
    const parts = dir === '/' ? [''] : dir.split('/')
    for (const entry of entries) {
      if (entry.isSymbolicLink()) return false
      const path = [...parts, entry.name]
      if (exc.some((p) => excludes(p, path))) continue
      const full = path.join('/')
      if (entry.isDirectory()) {
        if (inc.some((p) => includes(p, path, true)) && !walk(full)) return false
      } else if (entry.isFile() && SOURCE.test(entry.name) && inc.some((p) => includes(p, path, false))) found.add(full)
    }
    return true
  }
  const bases = [...new Set(inc.map(basePath))].sort()
  for (const dir of bases) {
    // a base below another base is walked with it
    if (bases.some((b) => b !== dir && (dir.startsWith(`${b}/`) || b === '/'))) continue
    if (!walk(dir)) return null
  }
  for (const file of literals) {
    visitDir(posix.dirname(file))
    let st
    try {
      st = lstatSync(file)
    } catch {
      continue
    }
    if (st.isSymbolicLink()) return null
    const path = file.split('/')
    if (st.isFile() && SOURCE.test(file) && !exc.some((p) => excludes(p, path))) found.add(file)
  }
  // a .tsx file is not listed when the .ts file of the same name is
  const files = [...found].filter((f) => !/\.d\.[cm]?ts$/.test(f) && !(f.endsWith('.tsx') && found.has(`${f.slice(0, -1)}`)))
  return { files: files.sort(), compilerOptions, references, ...reads }
}
