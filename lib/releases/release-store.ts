import { z } from 'zod'
import { timeValue, toEpochMs, versionString } from '../validation'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { invalidateCatalog } from './catalog-staleness'
import type { ReleaseRecord } from '../semantics/version-order'


export const newReleaseSchema = z.object({
  project: z.string().min(1, 'project is required'),
  version: versionString,
  releasedAt: timeValue.optional(),
  commit: z.string().max(100).optional(),
})
export type NewRelease = z.infer<typeof newReleaseSchema>

export interface Release extends ReleaseRecord {
  projectId: string
  commit: string
  createdAt: number
}

export async function registerRelease(input: NewRelease): Promise<Release> {
  const now = Date.now()
  const release: Release = {
    projectId: input.project,
    version: input.version,
    releasedAt: toEpochMs(input.releasedAt, now),
    commit: input.commit ?? '',
    createdAt: now,
  }
  await insertRows('registerRelease', table('releases'), [
    {
      project_id: release.projectId,
      version: release.version,
      released_at: release.releasedAt,
      commit: release.commit,
      created_at: release.createdAt,
    },
  ])
  invalidateCatalog(release.projectId)
  return release
}

interface ReleaseRow {
  version: string
  released_at: number
  commit: string
  created_at: number
}

export async function listReleases(projectId: string): Promise<Release[]> {
  const rows = await runQuery<ReleaseRow>(
    'listReleases',
    `SELECT version, toUnixTimestamp64Milli(released_at) AS released_at, commit, toUnixTimestamp64Milli(created_at) AS created_at
     FROM ${table('releases')} WHERE project_id = {project:String} ORDER BY released_at, created_at`,
    { project: projectId },
  )
  return rows.map((r) => ({
    projectId,
    version: r.version,
    releasedAt: Number(r.released_at),
    commit: r.commit,
    createdAt: Number(r.created_at),
  }))
}

export const minSupportedSchema = z.object({
  // null clears the minimum.
  version: versionString.nullable(),
})

export interface MinSupportedChange {
  version: string | null
  changedAt: number
}

export async function setMinSupported(projectId: string, version: string | null): Promise<MinSupportedChange> {
  const change = { version, changedAt: Date.now() }
  await insertRows('setMinSupported', table('min_supported_changes'), [
    { project_id: projectId, version: version ?? '', changed_at: change.changedAt },
  ])
  invalidateCatalog(projectId)
  return change
}

export async function listMinSupportedChanges(projectId: string): Promise<MinSupportedChange[]> {
  const rows = await runQuery<{ version: string; changed_at: number }>(
    'listMinSupportedChanges',
    `SELECT version, toUnixTimestamp64Milli(changed_at) AS changed_at
     FROM ${table('min_supported_changes')} WHERE project_id = {project:String} ORDER BY changed_at`,
    { project: projectId },
  )
  return rows.map((r) => ({ version: r.version === '' ? null : r.version, changedAt: Number(r.changed_at) }))
}

export async function listFirstSeen(projectId: string): Promise<Map<string, number>> {
  const rows = await runQuery<{ version: string; first_seen: number }>(
    'listFirstSeen',
    `SELECT version, toUnixTimestamp64Milli(min(first_seen)) AS first_seen
     FROM ${table('version_first_seen')} WHERE project_id = {project:String} GROUP BY version`,
    { project: projectId },
  )
  return new Map(rows.map((r) => [r.version, Number(r.first_seen)]))
}
