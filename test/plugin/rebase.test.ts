import { describe, expect, it } from 'vitest'
import { keyJson, keyPath, normalRoot, rebaser, treeRebaser } from '../../plugin/core/scan/rebase.js'

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
