import { z } from 'zod'
import { guarded, json, readJson, requireAdmin, unknownProjectJson } from '@/lib/http/json'
import { resolveProject } from '@/lib/projects/project-ref'
import { DEFAULT_KEY_GRACE_SECONDS, MAX_KEY_GRACE_SECONDS, rotateIngestKey } from '@/lib/projects/ingest-keys'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

const rotateSchema = z.object({
  graceSeconds: z.number().int().min(0).max(MAX_KEY_GRACE_SECONDS).optional(),
})

// Admin only. Gives the project a new ingest key; the old one keeps working
// for graceSeconds (default 24 h) so tabs still running the old page, and the
// batches they have queued, are not refused. The body is optional.
export const POST = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  let graceSeconds = DEFAULT_KEY_GRACE_SECONDS
  if (request.headers.get('content-length') !== '0' && request.body !== null && request.headers.get('content-type')) {
    const input = await readJson(request, rotateSchema)
    if (input instanceof Response) return input
    graceSeconds = input.graceSeconds ?? graceSeconds
  }
  const rotated = await rotateIngestKey(project.id, graceSeconds)
  if (!rotated) return unknownProjectJson(project.id)
  return json(rotated)
})
