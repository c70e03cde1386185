import { z } from 'zod'
import { randomToken, sha256Hex } from '../ids'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { allowedOriginsSchema } from './allowed-origins'
import { DEFAULT_LIVENESS_WINDOW_SECONDS, type Project } from './project'
import { invalidateProjectDirectory } from './directory-staleness'
import { newServerKey } from './server-key'

export const newProjectSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(100, 'name is at most 100 characters'),
  livenessWindowSeconds: z.number().int().min(60).max(3600).optional(),
  allowedOrigins: allowedOriginsSchema.optional(),
})
export type NewProject = z.infer<typeof newProjectSchema>

export interface CreatedProject {
  id: string
  name: string
  ingestKey: string
  /** Shown once: only its hash is stored. */
  deployToken: string
  /** Shown once: only its hash is stored (lib/projects/server-key.ts). */
  serverKey: string
}

export async function createProject(input: NewProject): Promise<CreatedProject> {
  const now = Date.now()
  const created: CreatedProject = {
    id: randomToken('p_', 12),
    name: input.name,
    ingestKey: randomToken('swk_', 24),
    deployToken: randomToken('swd_', 32),
    serverKey: newServerKey(),
  }
  await insertRows('createProject', table('projects'), [
    {
      id: created.id,
      name: created.name,
      ingest_key: created.ingestKey,
      deploy_token_hash: sha256Hex(created.deployToken),
      server_key_hash: sha256Hex(created.serverKey),
      liveness_window_seconds: input.livenessWindowSeconds ?? DEFAULT_LIVENESS_WINDOW_SECONDS,
      allowed_origins: input.allowedOrigins ?? [],
      created_at: now,
      updated_at: now,
    },
  ])
  invalidateProjectDirectory()
  return created
}

interface ProjectRow {
  id: string
  name: string
  ingest_key: string
  deploy_token_hash: string
  server_key_hash: string
  liveness_window_seconds: number
  allowed_origins: string[]
  created_at: number
}

export async function listProjects(): Promise<Project[]> {
  const rows = await runQuery<ProjectRow>(
    'listProjects',
    `SELECT id, name, ingest_key, deploy_token_hash, server_key_hash, liveness_window_seconds, allowed_origins, toUnixTimestamp64Milli(created_at) AS created_at
     FROM ${table('projects')} FINAL ORDER BY created_at, id`,
  )
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    ingestKey: r.ingest_key,
    deployTokenHash: r.deploy_token_hash,
    serverKeyHash: r.server_key_hash,
    livenessWindowSeconds: Number(r.liveness_window_seconds),
    createdAt: Number(r.created_at),
    allowedOrigins: r.allowed_origins,
  }))
}

/** Re-inserts a project's row with changes (projects is a ReplacingMergeTree on updated_at). */
export async function saveProject(project: Project, at = Date.now()): Promise<void> {
  await insertRows('saveProject', table('projects'), [
    {
      id: project.id,
      name: project.name,
      ingest_key: project.ingestKey,
      deploy_token_hash: project.deployTokenHash,
      server_key_hash: project.serverKeyHash,
      liveness_window_seconds: project.livenessWindowSeconds,
      allowed_origins: project.allowedOrigins ?? [],
      created_at: project.createdAt,
      // Strictly after the row it replaces, even within one millisecond of it.
      updated_at: Math.max(at, project.createdAt + 1),
    },
  ])
  invalidateProjectDirectory()
}

/** Replaces a project's allowlist of browser origins (empty = any origin); null when there is no such project. */
export async function setAllowedOrigins(projectId: string, origins: readonly string[]): Promise<Project | null> {
  const project = (await listProjects()).find((p) => p.id === projectId)
  if (!project) return null
  const updated = { ...project, allowedOrigins: [...new Set(origins)] }
  await saveProject(updated)
  return updated
}
