import { randomToken } from '../ids'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { listProjects, saveProject } from './project-store'

// Ingest key rotation. A project's current key is projects.ingest_key; a
// rotated-out key moves to project_keys with an expiry, and stays valid until
// then, so tabs still sending with it (and batches queued in them) are not
// refused mid-flight. Ingest keys only ever authorize writes to /api/ingest.

export const DEFAULT_KEY_GRACE_SECONDS = 24 * 3600
export const MAX_KEY_GRACE_SECONDS = 30 * 24 * 3600

export interface ActiveKey {
  projectId: string
  key: string
  expiresAt: number
}

export async function listActiveKeys(at = Date.now()): Promise<ActiveKey[]> {
  const rows = await runQuery<{ project_id: string; key: string; expires_at: number }>(
    'listActiveKeys',
    `SELECT project_id, key, toUnixTimestamp64Milli(expires_at) AS expires_at
     FROM ${table('project_keys')} FINAL
     WHERE expires_at > fromUnixTimestamp64Milli({at:Int64}, 'UTC')`,
    { at },
  )
  return rows.map((r) => ({ projectId: r.project_id, key: r.key, expiresAt: Number(r.expires_at) }))
}

export interface RotatedKey {
  projectId: string
  ingestKey: string
  previousKey: string
  previousKeyExpiresAt: number
}

export async function rotateIngestKey(projectId: string, graceSeconds = DEFAULT_KEY_GRACE_SECONDS, now = Date.now()): Promise<RotatedKey | null> {
  const project = (await listProjects()).find((p) => p.id === projectId)
  if (!project) return null
  const expiresAt = now + graceSeconds * 1000
  // The old key's grace row is stored before the new key replaces it, so at no
  // instant is the old key unknown.
  await insertRows('rotateIngestKey.keepOld', table('project_keys'), [
    { project_id: project.id, key: project.ingestKey, created_at: project.createdAt, expires_at: expiresAt, updated_at: now },
  ])
  const ingestKey = randomToken('swk_', 24)
  await saveProject({ ...project, ingestKey }, now)
  return { projectId, ingestKey, previousKey: project.ingestKey, previousKeyExpiresAt: expiresAt }
}
