import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { processSingleton } from '../process-singleton'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { config } from '../config'
import { BoundedWork } from '../limits/bounded-work'

// The dashboard password: STALEWATCH_ADMIN_PASSWORD, or an scrypt hash kept
// (mode 0600) in <data dir>/admin-password by `npm run set-password`. Only the
// hash is ever written; the file is re-read on each login, so setting a new
// password needs no restart.

// N=2^15, r=8: about 32 MiB and ~50 ms per attempt, which also slows guessing.
const PARAMS = { N: 32768, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const MAX_MEMORY = 64 * 1024 * 1024
export const MIN_PASSWORD_LENGTH = 10
/** Longer inputs are refused before hashing: scrypt's cost must not be the attacker's to choose. */
export const MAX_PASSWORD_LENGTH = 1024

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, { ...options, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

/** `scrypt$N$r$p$<salt b64url>$<hash b64url>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, PARAMS, KEY_LENGTH)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false
  const parts = stored.trim().split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20 || r > 32 || p > 16) return false
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (expected.length < 16) return false
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), { N, r, p }, expected.length)
  return timingSafeEqual(key, expected)
}

export function passwordFile(): string {
  return path.join(/*turbopackIgnore: true*/ config().dataDir, 'admin-password')
}

export type PasswordSource = 'env' | 'file' | 'none'

export function passwordSource(): PasswordSource {
  if (config().adminPassword) return 'env'
  return existsSync(passwordFile()) ? 'file' : 'none'
}

let envHash: { password: string; hash: Promise<string> } | undefined

/** The stored hash to check a login against, or null when no password is set. */
export function currentPasswordHash(): Promise<string> | null {
  const fromEnv = config().adminPassword
  if (fromEnv) {
    // Hashed once per process so the plaintext is compared the same slow way as a stored hash.
    if (envHash?.password !== fromEnv) envHash = { password: fromEnv, hash: hashPassword(fromEnv) }
    return envHash.hash
  }
  const file = passwordFile()
  if (!existsSync(file)) return null
  return Promise.resolve(readFileSync(file, 'utf8').trim())
}

// One hash at a time, four waiting: a login takes one libuv pool thread at
// most (the pool also serves the ingest log's writes and every chDB call),
// and a flood past the login limits is refused (BusyError), not queued.
function passwordChecks(): BoundedWork {
  return processSingleton('passwordChecks', () => new BoundedWork(1, 4))
}

/** Checks a login's password; throws BusyError when too many checks are already waiting. */
export async function checkPassword(password: string): Promise<boolean> {
  const hash = currentPasswordHash()
  if (hash === null) return false
  return passwordChecks().run(async () => verifyPassword(password, await hash))
}

/** Writes the hash atomically with mode 0600; returns the file written. */
export async function writePasswordFile(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  if (password.length > MAX_PASSWORD_LENGTH) throw new Error(`the password must be at most ${MAX_PASSWORD_LENGTH} characters`)
  const file = passwordFile()
  mkdirSync(path.dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, (await hashPassword(password)) + '\n', { mode: 0o600 })
  renameSync(temp, file)
  return file
}
