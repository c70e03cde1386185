import { z } from 'zod'
import { randomToken, sha256Hex } from '../ids'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { DEFAULT_LIVENESS_WINDOW_SECONDS, type Project } from './project'
import { invalidateProjectDirectory } from './project-directory'

export const newProjectSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(100, 'name is at most 100 characters'),
  livenessWindowSeconds: z.number().int().min(60).max(3600).optional(),
})
export type NewProject = z.infer<typeof newProjectSchema>

export interface CreatedProject {
  id: string
  name: string
  ingestKey: string
  /** Shown once: only its hash is stored. */
  deployToken: string
}

export async function createProject(input: NewProject): Promise<CreatedProject> {
  const now = Date.now()
  const created: CreatedProject = {
    id: randomToken('p_', 12),
    name: input.name,
    ingestKey: randomToken('swk_', 24),
    deployToken: randomToken('swd_', 32),
  }
  await insertRows('createProject', table('projects'), [
    {
      id: created.id,
      name: created.name,
      ingest_key: created.ingestKey,
      deploy_token_hash: sha256Hex(created.deployToken),
      liveness_window_seconds: input.livenessWindowSeconds ?? DEFAULT_LIVENESS_WINDOW_SECONDS,
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
  liveness_window_seconds: number
  created_at: number
}

export async function listProjects(): Promise<Project[]> {
  const rows = await runQuery<ProjectRow>(
    'listProjects',
    `SELECT id, name, ingest_key, deploy_token_hash, liveness_window_seconds, toUnixTimestamp64Milli(created_at) AS created_at
     FROM ${table('projects')} FINAL ORDER BY created_at, id`,
  )
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    ingestKey: r.ingest_key,
    deployTokenHash: r.deploy_token_hash,
    livenessWindowSeconds: Number(r.liveness_window_seconds),
    createdAt: Number(r.created_at),
  }))
}
