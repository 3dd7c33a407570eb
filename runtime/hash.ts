import * as crypto from 'node:crypto'

/** One-shot hashing (Node ≥ 20.12): about twice as fast as `createHash` on short texts. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash

/** The hex digest of a text. */
export function textHash(algorithm: 'sha1' | 'sha256', text: string): string {
  return oneShot ? oneShot(algorithm, text, 'hex') : crypto.createHash(algorithm).update(text).digest('hex')
}
