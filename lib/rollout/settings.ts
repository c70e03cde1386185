import { z } from 'zod'
import { config } from '../config'
import { insertRows, runQuery } from '../store/run-query'
import { rolloutTable } from './tables'
import { processSingleton } from '../process-singleton'

// A project's reload rate (forced reloads per minute) and the lead between a
// change of the minimum and its wave's first forced reload, during which
// every tab hears of the change at its next heartbeat and a mistake can be
// undone before any tab reloads. Projects without settings of their own use
// STALEWATCH_RELOADS_PER_MINUTE and STALEWATCH_WAVE_LEAD_SECONDS.

export const rolloutSettingsSchema = z
  .object({
    reloadsPerMinute: z.number().int('must be a whole number').min(0, 'must be 0 or more (0 holds every forced reload)').max(1_000_000, 'must be at most 1000000').optional(),
    leadSeconds: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(3600, 'must be at most 3600').optional(),
  })
  .strict()
  .refine((s) => s.reloadsPerMinute !== undefined || s.leadSeconds !== undefined, 'give reloadsPerMinute, leadSeconds or both')

export interface RolloutSettings {
  reloadsPerMinute: number
  leadSeconds: number
  /** Whether the project set them, or the configured defaults apply. */
  own: boolean
}

const TTL_MS = 3_000
const cache = () => processSingleton('rolloutSettings', () => new Map<string, { at: number; value: Promise<RolloutSettings> }>())

async function load(projectId: string): Promise<RolloutSettings> {
  const rows = await runQuery<{ reloads_per_minute: number; lead_seconds: number }>(
    'rolloutSettings',
    `SELECT reloads_per_minute, lead_seconds FROM ${rolloutTable('rollout_settings')} FINAL WHERE project_id = {project:String}`,
    { project: projectId },
  )
  const row = rows[0]
  if (!row) return { reloadsPerMinute: config().reloadsPerMinute, leadSeconds: config().waveLeadSeconds, own: false }
  return { reloadsPerMinute: Number(row.reloads_per_minute), leadSeconds: Number(row.lead_seconds), own: true }
}

/** The project's settings, cached for a few seconds (every answer to a tab below the minimum needs them). */
export function rolloutSettings(projectId: string, now = Date.now()): Promise<RolloutSettings> {
  const hit = cache().get(projectId)
  if (hit && now - hit.at < TTL_MS) return hit.value
  const value = load(projectId)
  cache().set(projectId, { at: now, value })
  value.catch(() => cache().delete(projectId))
  return value
}

export async function setRolloutSettings(
  projectId: string,
  change: z.infer<typeof rolloutSettingsSchema>,
  actor: string,
  now = Date.now(),
): Promise<RolloutSettings> {
  const current = await load(projectId)
  const next = { reloadsPerMinute: change.reloadsPerMinute ?? current.reloadsPerMinute, leadSeconds: change.leadSeconds ?? current.leadSeconds, own: true }
  await insertRows('setRolloutSettings', rolloutTable('rollout_settings'), [
    { project_id: projectId, reloads_per_minute: next.reloadsPerMinute, lead_seconds: next.leadSeconds, updated_by: actor, updated_at: now },
  ])
  cache().delete(projectId)
  return next
}
