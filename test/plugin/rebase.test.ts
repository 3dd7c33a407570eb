import { describe, expect, it } from 'vitest'
import { keyJson, keyPath, normalRoot, rebaser, treeRebaser } from '../../plugin/core/scan/rebase.js'
import { movedTexts } from '../../plugin/core/scan/result-cache.js'

describe('paths of cache files under another root', () => {
  it('moves paths under the recorded root, and only those; a results entry\'s paths outside it by their place relative to it', () => {
    const move = rebaser('/ci/a/app', '/ci/b/app')
    const tree = treeRebaser('/ci/a/app', '/ci/b/app')
    const cases: Array<[path: string, moved: string, treeMoved: string]> = [
      ['/ci/a/app/src/x.ts', '/ci/b/app/src/x.ts', '/ci/b/app/src/x.ts'],
      ['/ci/a/app', '/ci/b/app', '/ci/b/app'],
      // a sibling whose name begins with the root's, and paths outside it
      ['/ci/a/application/x.ts', '/ci/a/application/x.ts', '/ci/b/application/x.ts'],
      ['/ci/a/shared/models.ts', '/ci/a/shared/models.ts', '/ci/b/shared/models.ts'],
      ['/shared/x.ts', '/shared/x.ts', '/shared/x.ts'],
      ['', '', ''],
    ]
    for (const [path, moved, treeMoved] of cases) expect([path, move(path), tree(path)]).toEqual([path, moved, treeMoved])
    expect(rebaser('/', '/w')('/src/x.ts')).toBe('/w/src/x.ts')
    expect(rebaser('/w', '/')('/w/src/x.ts')).toBe('/src/x.ts')
    expect(treeRebaser('/x', '/x')('/y/z.ts')).toBe('/y/z.ts')
  })

  it('normalises Windows roots and trailing slashes', () => {
    expect(normalRoot('C:\\work\\app\\')).toBe('C:/work/app')
    expect(normalRoot('/')).toBe('/')
    expect(rebaser(normalRoot('C:\\a\\app'), normalRoot('D:\\b\\app'))('C:/a/app/src/x.ts')).toBe('D:/b/app/src/x.ts')
  })

  it('names paths in the results key relative to the root, so the key is the same at another path', () => {
    expect(keyPath('/ci/a/app', '/ci/a/app/src/x.ts')).toBe('src/x.ts')
    expect(keyPath('/ci/a/app', '/ci/a/app')).toBe('.')
    // a file outside the root (the project imports it): by its place relative to the root
    expect(keyPath('/ci/a/app', '/ci/a/application/x.ts')).toBe('../application/x.ts')
    expect(keyPath('/ci/a/app', '/ci/a/shared/models.ts')).toBe('../shared/models.ts')
    const options = (root: string) => ({ configFilePath: `${root}/tsconfig.json`, baseUrl: root, paths: { '@/*': ['./src/*'] } })
    expect(keyJson('/ci/a/app', options('/ci/a/app'))).toBe(keyJson('/ci/b/app', options('/ci/b/app')))
    expect(keyJson('/ci/a/app', options('/ci/a/app'))).toContain('"<root>/tsconfig.json"')
    // a string that only begins like the root is not the root
    expect(keyJson('/ci/a/app', { typeRoots: ['/ci/a/application/types'] })).toBe('{"typeRoots":["/ci/a/application/types"]}')
  })
})

describe('texts of a results entry under another root', () => {
  const name = (root: string) => JSON.stringify({ root, config: null })
  const module = (root: string) => `import { A as C0 } from "${root}/src/a.ts"\nimport { B as C1 } from "${root}/../shared/b.ts"\nexport const n = 1\n`

  it('moves the quoted paths of a text named after its root, renames it, and keeps the other texts as they are', () => {
    const moved = movedTexts({ [name('/w/app')]: module('/w/app'), 'registry-only': 'export const registry = {}', report: 'x /w/app y' }, '/w/app', '/ci/run/app')
    expect(moved).toEqual({ [name('/ci/run/app')]: module('/ci/run/app'), 'registry-only': 'export const registry = {}', report: 'x /w/app y' })
  })

  it('moves into a folder of the old root (every new path starting with the old root)', () => {
    expect(movedTexts({ [name('/w/app')]: module('/w/app') }, '/w/app', '/w/app/inner/app')).toEqual({ [name('/w/app/inner/app')]: module('/w/app/inner/app') })
  })

  it('leaves out a text that names its root other than as the start of a quoted path, and a name of another form', () => {
    const quoting = `${module('/w/app')}// built in /w/app\n`
    expect(movedTexts({ [name('/w/app')]: quoting }, '/w/app', '/x/app')).toEqual({})
    expect(movedTexts({ 'module:/w/app': module('/w/app'), [JSON.stringify({ root: '/w/app/', config: null })]: module('/w/app') }, '/w/app', '/x/app')).toEqual({})
  })

  it('takes texts still as bytes of the results file', () => {
    const bytes = Buffer.from(`xx${module('/w/app')}`)
    expect(movedTexts({ [name('/w/app')]: { bytes, start: 2, end: bytes.length } }, '/w/app', '/x/app')).toEqual({ [name('/x/app')]: module('/x/app') })
  })
})
