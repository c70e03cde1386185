import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { config } from '../config'
import { randomToken, secretsEqual } from '../ids'

// The admin token: STALEWATCH_ADMIN_TOKEN, or one generated on first start and
// kept (mode 0600) in the data directory so it survives restarts.

export function adminTokenFile(): string {
  return path.join(/*turbopackIgnore: true*/ config().dataDir, 'admin-token')
}

export interface AdminTokenInfo {
  token: string
  source: 'env' | 'file' | 'generated'
}

export function ensureAdminToken(): AdminTokenInfo {
  const fromEnv = config().adminToken
  if (fromEnv) return { token: fromEnv, source: 'env' }
  const file = adminTokenFile()
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), source: 'file' }
  mkdirSync(path.dirname(file), { recursive: true })
  const token = randomToken('swa_', 32)
  writeFileSync(file, token + '\n', { mode: 0o600 })
  return { token, source: 'generated' }
}

let cached: string | undefined

export function adminToken(): string {
  cached ??= ensureAdminToken().token
  return cached
}

export function bearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  return match?.[1] ?? null
}

export function isAdminBearer(authorization: string | null | undefined): boolean {
  const token = bearerToken(authorization)
  return token !== null && secretsEqual(token, adminToken())
}
