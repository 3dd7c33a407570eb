import { describe, expect, it } from 'vitest'
import { resolveHandlerOptions } from '../../runtime/web/options.js'
import { hostAllowed } from '../../runtime/web/security.js'
import { contentDisposition } from '../../runtime/web/download.js'
import { redactor } from '../../runtime/web/redact.js'
import { TOKEN } from './setup.js'

describe('handler options', () => {
  it('a handler without a token throws at construction, naming the option and both ways out', () => {
    expect(() => resolveHandlerOptions({})).toThrow(/option `token`: the backup handler requires a token.*`auth: false`/)
  })

  it('`auth: false` must be explicit, and cannot be combined with a token', () => {
    expect(resolveHandlerOptions({ auth: false }).token).toBeNull()
    expect(() => resolveHandlerOptions({ auth: false, token: TOKEN })).toThrow(/option `token`/)
    expect(() => resolveHandlerOptions({ auth: 'no' as never, token: TOKEN })).toThrow(/option `auth`/)
  })

  it('weak or malformed tokens are refused without echoing them', () => {
    for (const token of ['short', '', 'has a space in the middle!!', 42]) {
      let message = ''
      try {
        resolveHandlerOptions({ token: token as string })
      } catch (e) {
        message = (e as Error).message
      }
      expect(message).toMatch(/option `token`: expected a string of at least 16 characters/)
      if (typeof token === 'string' && token) expect(message).not.toContain(token)
    }
  })

  it('defaults, base path normalisation and bad values', () => {
    const r = resolveHandlerOptions({ token: TOKEN })
    expect(r).toMatchObject({ basePath: '/backup', tokenHeader: 'authorization', maxBodyBytes: 65536, allowedHosts: [] })
    expect(resolveHandlerOptions({ token: TOKEN, basePath: '/admin/backup/' }).basePath).toBe('/admin/backup')
    expect(() => resolveHandlerOptions({ token: TOKEN, basePath: 'backup' })).toThrow(/option `basePath`/)
    expect(() => resolveHandlerOptions({ token: TOKEN, basePath: '/a/../b' })).toThrow(/option `basePath`/)
    expect(() => resolveHandlerOptions({ token: TOKEN, tokenHeader: 'cookie' })).toThrow(/option `tokenHeader`/)
    expect(() => resolveHandlerOptions({ token: TOKEN, allowedHosts: ['http://x'] })).toThrow(/option `allowedHosts`/)
    expect(() => resolveHandlerOptions({ token: TOKEN, maxBodyBytes: 0 })).toThrow(/option `maxBodyBytes`/)
  })
})

describe('host allow-list', () => {
  it('loopback names on any port, allow-listed names with or without a port', () => {
    for (const h of ['localhost', 'localhost:3000', '127.0.0.1:1', '[::1]:8080', 'LOCALHOST']) expect(hostAllowed(h, []), h).toBe(true)
    for (const h of ['evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io', '[::2]', 'localhost.', '', 'local host', '127.0.0.1:80@evil']) expect(hostAllowed(h, []), h).toBe(false)
    expect(hostAllowed('admin.example.com:9', ['admin.example.com'])).toBe(true)
    expect(hostAllowed('admin.example.com:9', ['admin.example.com:8443'])).toBe(false)
    expect(hostAllowed('admin.example.com:8443', ['admin.example.com:8443'])).toBe(true)
  })
})

describe('Content-Disposition (RFC 6266)', () => {
  const fixtures = [
    'src.entities.Media-2025-10-02T15-30-45Z.tar.gz',
    'a"b.tar.gz',
    'evil\r\nSet-Cookie: x=1.tar.gz',
    'semi;colon=1.tar.gz',
    'back\\slash.tar.gz',
    "it's (100%) *.tar.gz",
    'Média-ünïcode-名前.tar.gz',
    '\u0000nul\u0085nel\u2028ls.tar.gz',
  ]
  for (const name of fixtures) {
    it(`one header value, quoted ASCII fallback and exact filename* for ${JSON.stringify(name)}`, () => {
      const value = contentDisposition(name)
      // the value must be accepted by the Headers class, with no CR, LF, NUL or extra parameter
      expect(() => new Headers({ 'content-disposition': value })).not.toThrow()
      expect(value).not.toMatch(/[\r\n\0]/)
      const m = /^attachment; filename="([A-Za-z0-9._-]+)"; filename\*=UTF-8''([A-Za-z0-9._~%-]+)$/.exec(value)
      expect(m, value).not.toBeNull()
      expect(decodeURIComponent(m![2]!)).toBe(name)
    })
  }
})

describe('redaction', () => {
  it('removes the root (both slash styles), other absolute paths and secrets; keeps relative names', () => {
    const redact = redactor(() => ['/srv/backups'], ['super-secret-token-123'])
    expect(redact("ENOENT: open '/srv/backups/src.Media/x/data.json.gz'")).toBe("ENOENT: open '<backup root>/src.Media/x/data.json.gz'")
    expect(redact('EACCES /etc/shadow and C:\\Windows\\win.ini and \\\\server\\share')).toBe('EACCES <path> and <path> and <path>')
    expect(redact('bad token super-secret-token-123')).toBe('bad token <redacted>')
    expect(redact('vectors/text-embedding-3-small/vectors.kbv in data.json.gz')).toBe('vectors/text-embedding-3-small/vectors.kbv in data.json.gz')
  })
})
