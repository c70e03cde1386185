import { sha256Hex } from '../ids'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { listProjects, saveProject } from './project-store'
import { newServerKey } from './server-key'

// Server key rotation. The current key's hash is projects.server_key_hash; a
// rotated-out key's hash moves to project_server_keys with an expiry and
// stays valid until then, so app servers still running with it keep sending
// while they are redeployed. A leaked key is rotated with graceSeconds 0.

export const DEFAULT_SERVER_KEY_GRACE_SECONDS = 3600
export const MAX_SERVER_KEY_GRACE_SECONDS = 7 * 24 * 3600

export interface ActiveServerKey {
  projectId: string
  keyHash: string
  expiresAt: number
}

export async function listActiveServerKeys(at = Date.now()): Promise<ActiveServerKey[]> {
  const rows = await runQuery<{ project_id: string; key_hash: string; expires_at: number }>(
    'listActiveServerKeys',
    `SELECT project_id, key_hash, toUnixTimestamp64Milli(expires_at) AS expires_at
     FROM ${table('project_server_keys')} FINAL
     WHERE expires_at > fromUnixTimestamp64Milli({at:Int64}, 'UTC')`,
    { at },
  )
  return rows.map((r) => ({ projectId: r.project_id, keyHash: r.key_hash, expiresAt: Number(r.expires_at) }))
}

export interface RotatedServerKey {
  projectId: string
  /** Shown once: only its hash is stored. */
  serverKey: string
  /** When the key it replaces stops working; null when the project had none. */
  previousKeyExpiresAt: number | null
}

export async function rotateServerKey(projectId: string, graceSeconds = DEFAULT_SERVER_KEY_GRACE_SECONDS, now = Date.now()): Promise<RotatedServerKey | null> {
  const project = (await listProjects()).find((p) => p.id === projectId)
  if (!project) return null
  let previousKeyExpiresAt: number | null = null
  if (project.serverKeyHash) {
    previousKeyExpiresAt = now + graceSeconds * 1000
    // The old key's grace row is stored before the new key replaces it, so at no instant is the old key unknown.
    await insertRows('rotateServerKey.keepOld', table('project_server_keys'), [
      { project_id: project.id, key_hash: project.serverKeyHash, created_at: project.createdAt, expires_at: previousKeyExpiresAt, updated_at: now },
    ])
  }
  const serverKey = newServerKey()
  await saveProject({ ...project, serverKeyHash: sha256Hex(serverKey) }, now)
  return { projectId, serverKey, previousKeyExpiresAt }
}
