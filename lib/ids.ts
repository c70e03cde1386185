import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** A random token of `length` chars from [a-z0-9], with a readable prefix. */
export function randomToken(prefix: string, length: number): string {
  const bytes = randomBytes(length)
  let out = prefix
  for (const byte of bytes) out += alphabet[byte % alphabet.length]
  return out
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** Compares two secrets in constant time (for equal lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
