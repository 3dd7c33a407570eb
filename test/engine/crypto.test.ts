import { createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type BackupError, isBackupError } from '../../runtime/errors.js'
import {
  decryptStream, DEFAULT_CHUNK_SIZE, encryptStream, type EncryptionContext, isEncrypted, keyRingEncryption, type KeyRing,
  parseKey, readEncryptionHeader, resolveKeyRing,
} from '../../runtime/engine/crypto.js'
import { scryptRunCount } from '../../runtime/engine/crypto/kdf.js'
import { seeded } from '../random.js'

// seeded randomness: every random choice below comes from this seed (printed on failure via test names)
const SEED = Number(process.env.KOAN_TEST_SEED ?? 0x5eed1234)

function seededBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256)
  return out
}

function rawKey(rand: () => number): Buffer {
  return seededBytes(rand, 32)
}

function ringOf(id: string, key: Buffer | string): KeyRing {
  const value = typeof key === 'string' ? key : `hex:${key.toString('hex')}`
  return resolveKeyRing({ current: id, keys: { [id]: value } }, {})
}

const AAD: EncryptionContext = { entity: 'src.models.user.User', timestamp: '2025-10-02T15-30-45Z', role: 'data' }
const CS = DEFAULT_CHUNK_SIZE

type Steps = 'one' | 'bytes' | 'random'

/** Cuts `data` into pieces: one write, 1-byte writes, or seeded random sizes (1..3·cs). */
function pieces(data: Buffer, steps: Steps, rand: () => number, cs: number): Buffer[] {
  if (steps === 'one') return [data]
  const out: Buffer[] = []
  for (let at = 0; at < data.length;) {
    const n = steps === 'bytes' ? 1 : 1 + Math.floor(rand() * rand() * 3 * cs)
    out.push(data.subarray(at, at + n))
    at += n
  }
  return out
}

/**
 * Runs `input` through a transform; returns everything it released (every `push`, recorded at the
 * source, so data an error would discard downstream still counts) and the error, if any.
 */
async function run(t: Transform, input: Buffer[]): Promise<{ out: Buffer; error: unknown }> {
  const pushed: Buffer[] = []
  const push = t.push.bind(t)
  t.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk) pushed.push(Buffer.from(chunk as Buffer))
    return push(chunk, encoding)
  }
  let error: unknown
  try {
    await pipeline(Readable.from(input), t, async (source: AsyncIterable<Buffer>) => {
      for await (const _ of source) { /* drain */ }
    })
  } catch (e) {
    error = e
  }
  return { out: Buffer.concat(pushed), error }
}

async function encrypt(plain: Buffer, ring: KeyRing, options: { aad?: EncryptionContext; chunkSize?: number; input?: Buffer[] } = {}): Promise<Buffer> {
  const { out, error } = await run(encryptStream({ key: ring, aad: options.aad ?? AAD, chunkSize: options.chunkSize }), options.input ?? [plain])
  if (error) throw error
  return out
}

async function decrypt(file: Buffer, ring: KeyRing, options: { aad?: EncryptionContext; input?: Buffer[] } = {}) {
  return run(decryptStream({ keys: ring, aad: options.aad ?? AAD }), options.input ?? [file])
}

/** Asserts a refusal with that code (and message part); returns the error. */
function refused(result: { error: unknown }, code: string, message?: string | RegExp): BackupError {
  const error = result.error
  expect(isBackupError(error), `expected a BackupError, got ${String(error)}`).toBe(true)
  expect((error as { code: string }).code, (error as Error).message).toBe(code)
  if (message) expect((error as Error).message).toMatch(message)
  return error as BackupError
}

/** Byte layout of a raw-key file, read with the documented offsets (independent of the implementation). */
function layout(file: Buffer) {
  const n = file[5]!
  const kdf = file[6 + n]!
  const salt = 7 + n + (kdf === 1 ? 19 : 0)
  const chunkSize = file.readUInt32BE(salt + 16)
  const headerLength = salt + 16 + 4 + 32
  const frames: Array<{ start: number; end: number; length: number }> = []
  for (let at = headerLength; at < file.length;) {
    const length = file.readUInt32BE(at)
    frames.push({ start: at, end: at + 4 + length + 16, length })
    at += 4 + length + 16
  }
  return { keyIdLength: n, kdfOffset: 6 + n, salt, chunkSize, headerLength, frames }
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!

describe(`KBE1 encrypted files (seed ${SEED})`, () => {
  const rand = seeded(SEED)
  const key = rawKey(rand)
  const ring = ringOf('k1', key)

  describe('round trip: payload sizes × write steps (matrix row 20)', () => {
    for (const cs of [CS, 16]) {
      const sizes = [0, 1, cs - 1, cs, cs + 1, 2 * cs, 2 * cs + 500]
      for (const steps of ['one', 'bytes', 'random'] as const) {
        it(`chunk size ${cs}, ${steps} writes: sizes ${sizes.join(', ')}`, async () => {
          const r = seeded(SEED + cs + steps.length)
          for (const size of sizes) {
            const plain = seededBytes(r, size)
            const file = await encrypt(plain, ring, { chunkSize: cs, input: pieces(plain, steps, r, cs) })
            const chunks = Math.floor(size / cs) + 1
            expect(file.length).toBe(layout(file).headerLength + size + chunks * 20)
            const { out, error } = await decrypt(file, ring, { input: pieces(file, steps, r, cs) })
            expect(error).toBeUndefined()
            expect(out.equals(plain), `size ${size}`).toBe(true)
          }
        })
      }
    }
  })

  it('matches the documented layout: an independent decoder opens the file', async () => {
    const plain = seededBytes(rand, 2 * 1000 + 7)
    const aad = { entity: 'Ünïcode.Entity', timestamp: '2025-01-01T00-00-00Z', role: 'vectors/text-embedding-3' }
    const file = await encrypt(plain, ring, { aad, chunkSize: 1000 })
    expect(file.subarray(0, 5)).toEqual(Buffer.from('KBE1\x01', 'latin1'))
    const l = layout(file)
    expect(file.subarray(6, 6 + l.keyIdLength).toString()).toBe('k1')
    expect(file[l.kdfOffset]).toBe(0)
    const fileKey = Buffer.from(hkdfSync('sha256', key, file.subarray(l.salt, l.salt + 16), 'koan-backup file key v1', 32))
    expect(createHmac('sha256', fileKey).update('koan-backup key check').digest()).toEqual(file.subarray(l.headerLength - 32, l.headerLength))
    const headerHash = createHash('sha256').update(file.subarray(0, l.headerLength)).digest()
    const context = Buffer.concat([aad.entity, aad.timestamp, aad.role].flatMap((s) => {
      const b = Buffer.from(s)
      const n = Buffer.alloc(4)
      n.writeUInt32BE(b.length)
      return [n, b]
    }))
    const out: Buffer[] = []
    l.frames.forEach((f, i) => {
      const final = f.length < l.chunkSize
      expect(final).toBe(i === l.frames.length - 1)
      const index = Buffer.alloc(8)
      index.writeBigUInt64BE(BigInt(i))
      const nonce = Buffer.concat([Buffer.alloc(4), index])
      const d = createDecipheriv('aes-256-gcm', fileKey, nonce)
      d.setAAD(Buffer.concat([headerHash, context, index, Buffer.from([final ? 1 : 0])]))
      d.setAuthTag(file.subarray(f.end - 16, f.end))
      out.push(d.update(file.subarray(f.start + 4, f.end - 16)), d.final())
    })
    expect(Buffer.concat(out).equals(plain)).toBe(true)
  })

  describe('nonces and salts (matrix row 19)', () => {
    it('the same plaintext encrypted twice gives different ciphertext', async () => {
      const plain = Buffer.from('canary '.repeat(1000))
      const a = await encrypt(plain, ring)
      const b = await encrypt(plain, ring)
      expect(a.equals(b)).toBe(false)
      expect(a.subarray(layout(a).headerLength).equals(b.subarray(layout(b).headerLength))).toBe(false)
      expect(a.includes('canary')).toBe(false)
    })

    it('no (file salt, nonce) pair repeats over 1000 files × 1000 chunks', async () => {
      const seen = new Set<string>()
      let chunks = 0
      const started = performance.now()
      for (let f = 0; f < 1000; f++) {
        const file = await encrypt(Buffer.alloc(999, f), ring, { chunkSize: 1 })
        const l = layout(file)
        const salt = file.subarray(l.salt, l.salt + 16).toString('latin1')
        for (let i = 0; i < l.frames.length; i++) {
          seen.add(salt + i)
          chunks++
        }
      }
      expect(chunks).toBe(1000 * 1000)
      expect(seen.size).toBe(chunks)
      console.log(`[crypto] nonce check: 0 repeats in ${chunks} chunks over 1000 files (${Math.round(performance.now() - started)} ms)`)
    }, 240_000)
  })

  describe('keys (matrix rows 16, 17, 21)', () => {
    const plain = seededBytes(rand, 3 * 1024 + 100)
    const file = encrypt(plain, ring, { chunkSize: 1024 })

    it('100 random wrong keys: WRONG_KEY "wrong key" at the header, nothing emitted', async () => {
      const times: number[] = []
      for (let i = 0; i < 100; i++) {
        const wrong = ringOf('k1', rawKey(rand))
        const started = performance.now()
        const result = await decrypt(await file, wrong)
        times.push(performance.now() - started)
        const error = refused(result, 'WRONG_KEY', /wrong key/)
        expect(error.message).not.toMatch(/corrupt/i)
        expect(result.out.length).toBe(0)
      }
      console.log(`[crypto] 100/100 wrong keys refused, 0 bytes emitted; time-to-fail p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms`)
    })

    it('an unknown key id is MISSING_KEY naming the id', async () => {
      const result = await decrypt(await file, ringOf('k2', key))
      refused(result, 'MISSING_KEY', /key 'k1'.*not configured \(known: k2\)/)
      expect(result.out.length).toBe(0)
    })

    it('a passphrase where a raw key was used is WRONG_KEY', async () => {
      refused(await decrypt(await file, ringOf('k1', 'passphrase:hunter2')), 'WRONG_KEY', /wrong key.*passphrase/)
    })

    it('old files stay readable after rotation: the key id selects the key', async () => {
      const rotated = resolveKeyRing({ current: 'k2', keys: { k1: `base64:${key.toString('base64')}`, k2: `hex:${rawKey(rand).toString('hex')}` } }, {})
      const newer = await encrypt(plain, rotated)
      expect(readEncryptionHeader(newer).keyId).toBe('k2')
      for (const f of [await file, newer]) expect((await decrypt(f, rotated)).out.equals(plain)).toBe(true)
    })

    it('encrypting without a key is MISSING_KEY, before any byte is written', () => {
      const message = 'encrypt: true without a key: set KOAN_BACKUP_KEY or encryption.keys; backups are never written in plaintext'
      for (const key of [undefined, resolveKeyRing(undefined, {}), resolveKeyRing({ keys: { a: 'passphrase:x', b: 'passphrase:y' } }, {})]) {
        let error: unknown
        try {
          encryptStream({ key, aad: AAD })
        } catch (e) {
          error = e
        }
        refused({ error }, 'MISSING_KEY', message)
      }
    })
  })

  describe('tampering (matrix rows 8, 18)', () => {
    const cs = 1024
    const plain = seededBytes(rand, 2 * cs + 952)
    const file = encrypt(plain, ring, { chunkSize: cs })

    it('every bit of the header: refused with the code of the field, nothing emitted', async () => {
      const f = await file
      const l = layout(f)
      const codes = new Map<string, number>()
      for (let byte = 0; byte < l.headerLength; byte++) {
        const expected = byte < 6 ? ['CORRUPT'] // magic, version, key id length
          : byte < l.kdfOffset ? ['MISSING_KEY', 'CORRUPT'] // key id (CORRUPT when not UTF-8)
            : byte === l.kdfOffset ? ['CORRUPT', 'BAD_KEY', 'WRONG_KEY'] // kdf type
              : byte < l.salt + 16 ? ['WRONG_KEY'] // file salt
                : byte < l.salt + 20 ? ['CORRUPT'] // chunk size
                  : ['WRONG_KEY'] // key check
        for (let bit = 0; bit < 8; bit++) {
          const bad = Buffer.from(f)
          bad[byte]! ^= 1 << bit
          const result = await decrypt(bad, ring)
          const code = (result.error as { code?: string }).code ?? String(result.error)
          expect(expected, `byte ${byte} bit ${bit}: ${(result.error as Error).message}`).toContain(code)
          expect(result.out.length).toBe(0)
          codes.set(code, (codes.get(code) ?? 0) + 1)
        }
      }
      console.log(`[crypto] header flips: ${l.headerLength * 8}/${l.headerLength * 8} refused, 0 bytes emitted (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})`)
    })

    for (const chunk of [0, 1]) {
      it(`bit flips in chunk ${chunk} (length, ciphertext, tag): CORRUPT, only the chunks before it emitted`, async () => {
        const f = await file
        const frame = layout(f).frames[chunk]!
        const r = seeded(SEED + chunk)
        for (let i = 0; i < 200; i++) {
          const at = frame.start + (i < 4 * 8 ? i >> 3 : Math.floor(r() * (frame.end - frame.start)))
          const bad = Buffer.from(f)
          bad[at]! ^= 1 << (i & 7)
          const result = await decrypt(bad, ring)
          refused(result, 'CORRUPT', /authentication failed at chunk|claims \d+ bytes|truncated|trailing data/)
          expect(result.out.equals(plain.subarray(0, chunk * cs)), `offset ${at}`).toBe(true)
        }
      })
    }

    it('a flipped bit in each of the last 16 bytes (the final tag): no byte of the final chunk emitted', async () => {
      const f = await file
      for (let back = 1; back <= 16; back++) {
        for (const bit of [0, 7]) {
          const bad = Buffer.from(f)
          bad[f.length - back]! ^= 1 << bit
          const result = await decrypt(bad, ring)
          refused(result, 'CORRUPT', 'authentication failed at chunk 2')
          expect(result.out.equals(plain.subarray(0, 2 * cs))).toBe(true)
        }
      }
    })
  })

  describe('truncation and trailing data (matrix rows 10, 11)', () => {
    const cs = 1024
    const plain = seededBytes(rand, 5 * cs + 300)
    const file = encrypt(plain, ring, { chunkSize: cs })

    /** Emitted plaintext must be whole verified non-final chunks, never the final one. */
    function onlyWholeChunks(out: Buffer) {
      expect(out.length % cs).toBe(0)
      expect(out.length).toBeLessThan(plain.length)
      expect(out.equals(plain.subarray(0, out.length))).toBe(true)
    }

    it('to 0 bytes, at every chunk boundary, mid-tag and at 200 random lengths: refused "truncated"', async () => {
      const f = await file
      const l = layout(f)
      const r = seeded(SEED + 10)
      const cuts = [0, 3, l.headerLength - 1, ...l.frames.map((fr) => fr.start), ...Array.from({ length: 15 }, (_, i) => f.length - 1 - i)]
      for (let i = 0; i < 200; i++) cuts.push(Math.floor(r() * f.length))
      for (const cut of cuts) {
        const result = await decrypt(f.subarray(0, cut), ring)
        refused(result, 'CORRUPT', /truncated/)
        onlyWholeChunks(result.out)
      }
      console.log(`[crypto] truncations: ${cuts.length}/${cuts.length} refused (${l.frames.length} at chunk boundaries), 0 final chunks emitted`)
    })

    it('1..70000 appended bytes (random, or a copy of a chunk): refused "trailing data"', async () => {
      const f = await file
      const l = layout(f)
      const r = seeded(SEED + 11)
      const sizes = [1, 2, 15, 16, 20, 1024, 65556, 70000, ...Array.from({ length: 40 }, () => 1 + Math.floor(r() * 70000))]
      const tails = [...sizes.map((n) => seededBytes(r, n)), f.subarray(l.frames.at(-1)!.start), f.subarray(l.frames[0]!.start, l.frames[0]!.end)]
      for (const tail of tails) {
        const result = await decrypt(Buffer.concat([f, tail]), ring, { input: [f, tail] })
        refused(result, 'CORRUPT', /trailing data/)
        onlyWholeChunks(result.out)
        // in one write too: the final chunk and the tail arrive together
        refused(await decrypt(Buffer.concat([f, tail]), ring), 'CORRUPT', /trailing data/)
      }
    })
  })

  describe('moved, reordered and swapped data (matrix row 12)', () => {
    const cs = 1024
    const plain = seededBytes(rand, 4 * cs + 10)

    it('reordered, duplicated, dropped chunks and chunks from another file are refused', async () => {
      const f = await encrypt(plain, ring, { chunkSize: cs })
      const other = await encrypt(plain, ring, { chunkSize: cs })
      const l = layout(f)
      const fr = l.frames.map((x) => f.subarray(x.start, x.end))
      const lo = layout(other)
      const head = f.subarray(0, l.headerLength)
      const cases: Record<string, Buffer[]> = {
        'swap 0 and 1': [head, fr[1]!, fr[0]!, ...fr.slice(2)],
        'duplicate 1': [head, fr[0]!, fr[1]!, fr[1]!, ...fr.slice(2)],
        'drop 2': [head, fr[0]!, fr[1]!, ...fr.slice(3)],
        'final chunk first': [head, fr.at(-1)!, ...fr.slice(0, -1)],
        'chunk 1 from another file (same key, same binding)': [head, fr[0]!, other.subarray(lo.frames[1]!.start, lo.frames[1]!.end), ...fr.slice(2)],
        'header of another file': [other.subarray(0, lo.headerLength), ...fr],
        'drop the final chunk': [head, ...fr.slice(0, -1)],
      }
      for (const [name, parts] of Object.entries(cases)) {
        const result = await decrypt(Buffer.concat(parts), ring)
        expect(result.error, name).toBeDefined()
        refused(result, 'CORRUPT')
        expect(result.out.length % cs, name).toBe(0)
        expect(result.out.equals(plain.subarray(0, result.out.length)), name).toBe(true)
      }
    })

    it('a file bound to (entity A, ts1, data) does not open as entity B, ts2 or role vectors/<model>', async () => {
      const f = await encrypt(plain, ring, { chunkSize: cs })
      const others: EncryptionContext[] = [
        { ...AAD, entity: 'src.models.media.Media' },
        { ...AAD, timestamp: '2025-10-02T15-30-46Z' },
        { ...AAD, role: 'vectors/text-embedding-3-small' },
      ]
      for (const aad of others) {
        const result = await decrypt(f, ring, { aad })
        refused(result, 'CORRUPT', /authentication failed at chunk 0.*another entity, backup or file role/)
        expect(result.out.length).toBe(0)
      }
      expect((await decrypt(f, ring)).out.equals(plain)).toBe(true)
    })
  })

  describe('passphrases and KDF limits (matrix row 22)', () => {
    const pass = ringOf('p1', 'passphrase:correct horse battery staple')

    it('round trip; scrypt runs once for many files (cached), a wrong passphrase is WRONG_KEY', async () => {
      const before = scryptRunCount()
      const plain = seededBytes(rand, 5000)
      const files = []
      for (let i = 0; i < 20; i++) files.push(await encrypt(plain, pass, { chunkSize: 1024 }))
      for (const f of files) expect((await decrypt(f, pass)).out.equals(plain)).toBe(true)
      expect(scryptRunCount() - before).toBeLessThanOrEqual(1)
      expect(readEncryptionHeader(files[0]!).kdf).toEqual({ name: 'scrypt', N: 2 ** 15, r: 8, p: 1 })
      const result = await decrypt(files[0]!, ringOf('p1', 'passphrase:correct horse battery stapler'))
      refused(result, 'WRONG_KEY', /wrong key/)
      expect(result.out.length).toBe(0)
      refused(await decrypt(files[0]!, ringOf('p1', key)), 'WRONG_KEY', /wrong key.*raw 32-byte key/)
    })

    it('malicious scrypt parameters are refused with BAD_KEY in < 100 ms, without running scrypt', async () => {
      const f = await encrypt(Buffer.from('x'), pass)
      const at = layout(f).kdfOffset + 1
      const cases: Array<[string, number[]]> = [['N=2^30', [30, 8, 1]], ['N=2^21', [21, 8, 1]], ['r=255', [15, 255, 1]], ['p=255', [15, 8, 255]], ['N=2^20 r=16 (2 GiB)', [20, 16, 1]], ['N=1', [0, 8, 1]], ['r=0', [15, 0, 1]]]
      const runs = scryptRunCount()
      const rss = process.memoryUsage().rss
      const times: string[] = []
      for (const [name, params] of cases) {
        const bad = Buffer.from(f)
        params.forEach((v, i) => { bad[at + i] = v })
        const started = performance.now()
        const result = await decrypt(bad, pass)
        const ms = performance.now() - started
        refused(result, 'BAD_KEY', /outside the accepted limits/)
        expect(ms, name).toBeLessThan(100)
        times.push(`${name} ${ms.toFixed(1)} ms`)
      }
      expect(scryptRunCount()).toBe(runs)
      const delta = (process.memoryUsage().rss - rss) / 1024 / 1024
      console.log(`[crypto] malicious KDF params refused: ${times.join(', ')}; RSS delta ${delta.toFixed(1)} MB`)
      expect(delta).toBeLessThan(10)
    })
  })

  describe('key configuration', () => {
    const hex = randomBytes(32).toString('hex')
    const b64 = Buffer.from(hex, 'hex').toString('base64')

    it('accepts base64:, hex:, bare 44-char base64 / 64-char hex and passphrase: (same bytes, same key)', async () => {
      const forms = [`hex:${hex}`, `base64:${b64}`, hex, b64, hex.toUpperCase(), `${b64}\n`, Buffer.from(hex, 'hex').toString('base64url') + '=']
      const f = await encrypt(Buffer.from('hello'), ringOf('k', forms[0]!))
      for (const form of forms) expect((await decrypt(f, ringOf('k', form))).out.toString(), form).toBe('hello')
      expect(parseKey('p', 'passphrase:  spaces kept  ').kind).toBe('passphrase')
    })

    it('bad keys are BAD_KEY naming the id, never echoing the key', () => {
      const bad = ['', '   ', 'abc', 'hex:abcd', `hex:${hex}00`, `hex:${hex.slice(1)}z`, 'base64:AAAA', `base64:${b64.slice(0, -4)}`, `${hex.slice(2)}`, `${b64.slice(1)}?`, 'passphrase:', 'not-a-key-at-all-but-long-enough-to-spot']
      for (const value of [...bad, undefined, 42]) {
        let error: unknown
        try {
          resolveKeyRing({ keys: { 'backup-2025': value as string } }, {})
        } catch (e) {
          error = e
        }
        const e = refused({ error }, 'BAD_KEY', /key 'backup-2025'/)
        const shown = `${e.message} ${JSON.stringify(e.details)}`
        const secret = typeof value === 'string' ? value.trim().replace(/^(hex|base64|passphrase):/, '') : ''
        if (secret.length >= 4) expect(shown).not.toContain(secret)
      }
      for (const id of ['', 'x'.repeat(256)]) {
        expect(() => resolveKeyRing({ keys: { [id]: hex } }, {})).toThrow(/must be 1 to 255 bytes/)
      }
    })

    it('KOAN_BACKUP_KEY: added as `env` (or KOAN_BACKUP_KEY_ID), current unless encryption.current says otherwise', () => {
      const other = randomBytes(32).toString('hex')
      expect(resolveKeyRing(undefined, { KOAN_BACKUP_KEY: hex }).toJSON()).toEqual({ current: 'env', keys: ['env'] })
      expect(resolveKeyRing({ keys: { old: other } }, { KOAN_BACKUP_KEY: hex, KOAN_BACKUP_KEY_ID: 'v2' }).toJSON()).toEqual({ current: 'v2', keys: ['old', 'v2'] })
      expect(resolveKeyRing({ current: 'old', keys: { old: other } }, { KOAN_BACKUP_KEY: hex }).current).toBe('old')
      expect(resolveKeyRing({ keys: { only: other } }, {}).current).toBe('only')
      expect(resolveKeyRing({ keys: { a: other, b: hex } }, {}).current).toBeUndefined()
      expect(resolveKeyRing({ keys: {} }, { KOAN_BACKUP_KEY: '' }).current).toBeUndefined()
      expect(resolveKeyRing({ keys: { env: `hex:${hex}` } }, { KOAN_BACKUP_KEY: b64 }).current).toBe('env')
      expect(() => resolveKeyRing({ keys: { env: other } }, { KOAN_BACKUP_KEY: hex })).toThrow(/different values/)
      let error: unknown
      try {
        resolveKeyRing(undefined, { KOAN_BACKUP_KEY: 'hex:1234' })
      } catch (e) {
        error = e
      }
      expect(refused({ error }, 'BAD_KEY', /key 'env' \(KOAN_BACKUP_KEY\)/).message).not.toContain('1234')
      expect(() => resolveKeyRing({ current: 'v9', keys: { a: hex } }, {})).toThrow(expect.objectContaining({ code: 'MISSING_KEY' }))
    })

    it('key rings and keys print and serialise without key material', () => {
      const r = resolveKeyRing({ keys: { a: hex, p: 'passphrase:sekrit-words' } }, {})
      for (const shown of [inspect(r, { showHidden: true, depth: 9 }), JSON.stringify(r), inspect(r.get('a'), { showHidden: true }), JSON.stringify(r.get('p')), String(r.get('p'))]) {
        expect(shown).not.toContain(hex)
        expect(shown).not.toContain(b64)
        expect(shown).not.toContain('sekrit')
      }
    })
  })

  describe('inspection and options', () => {
    it('isEncrypted and readEncryptionHeader', async () => {
      const f = await encrypt(Buffer.from('{}'), ring)
      expect(isEncrypted(f.subarray(0, 4))).toBe(true)
      for (const other of ['[\n', '{"a":1}', 'KBE', '', 'KBE2']) expect(isEncrypted(Buffer.from(other)), other).toBe(false)
      expect(isEncrypted(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe(false)
      expect(readEncryptionHeader(f.subarray(0, 200))).toEqual({ format: 'KBE1', version: 1, keyId: 'k1', kdf: { name: 'none' }, chunkSize: CS, headerLength: layout(f).headerLength })
      expect(() => readEncryptionHeader(f.subarray(0, 20))).toThrow(/truncated/)
      expect(() => readEncryptionHeader(Buffer.from('[{"id":1}]'))).toThrow(/not an encrypted koan-backup file/)
      refused(await decrypt(Buffer.from('[{"id":1}]\n'), ring), 'CORRUPT', /not an encrypted koan-backup file/)
    })

    it('bad options are BAD_OPTION', () => {
      expect(() => encryptStream({ key: ring, aad: AAD, chunkSize: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }))
      expect(() => encryptStream({ key: ring, aad: AAD, chunkSize: 2 ** 30 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }))
      expect(() => encryptStream({ key: ring, aad: { ...AAD, role: '' } })).toThrow(/aad.role/)
      expect(() => decryptStream({ keys: ring, aad: { ...AAD, entity: undefined as unknown as string } })).toThrow(/aad.entity/)
    })

    it('keyRingEncryption gives the engine its current key id and a stream pair per binding', async () => {
      const enc = keyRingEncryption(ring)
      expect(enc.currentKeyId()).toBe('k1')
      expect(keyRingEncryption(resolveKeyRing(undefined, {})).currentKeyId()).toBeNull()
      const { out: file } = await run(enc.encrypt(AAD), [Buffer.from('row')])
      expect((await run(enc.decrypt(AAD), [file])).out.toString()).toBe('row')
    })
  })

  it('throughput: 64 MB encrypted and decrypted (figure printed, not asserted)', async () => {
    const mb = 64
    const block = randomBytes(1024 * 1024)
    const input = Array.from({ length: mb }, () => block)
    let started = performance.now()
    const encrypted = await run(encryptStream({ key: ring, aad: AAD }), input)
    const encMs = performance.now() - started
    expect(encrypted.error).toBeUndefined()
    const pieces1M = Array.from({ length: Math.ceil(encrypted.out.length / (1024 * 1024)) }, (_, i) => encrypted.out.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024))
    started = performance.now()
    const decrypted = await run(decryptStream({ keys: ring, aad: AAD }), pieces1M)
    const decMs = performance.now() - started
    expect(decrypted.out.length).toBe(mb * 1024 * 1024)
    console.log(`[crypto] throughput 64 MB: encrypt ${(mb / (encMs / 1000)).toFixed(0)} MB/s, decrypt ${(mb / (decMs / 1000)).toFixed(0)} MB/s (overhead ${encrypted.out.length - mb * 1024 * 1024} bytes)`)
  })
})
