import { z } from 'zod'
import { json, readJson, unknownProjectJson } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { resolveProject } from '@/lib/projects/project-ref'
import { DEFAULT_SERVER_KEY_GRACE_SECONDS, MAX_SERVER_KEY_GRACE_SECONDS, rotateServerKey } from '@/lib/projects/server-key-rotation'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

const rotateSchema = z.object({
  graceSeconds: z.number().int().min(0).max(MAX_SERVER_KEY_GRACE_SECONDS).optional(),
})

// Admin only. Gives the project a new server key (shown once in the answer);
// the old one keeps working for graceSeconds (default 1 h) while the app's
// servers are redeployed with the new one; 0 ends it at once (a leaked key).
// Also how a project created before server keys existed gets its first.
export const POST = adminRoute(async (request, context: Context) => {
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  let graceSeconds = DEFAULT_SERVER_KEY_GRACE_SECONDS
  if (request.headers.get('content-length') !== '0' && request.body !== null && request.headers.get('content-type')) {
    const input = await readJson(request, rotateSchema)
    if (input instanceof Response) return input
    graceSeconds = input.graceSeconds ?? graceSeconds
  }
  const rotated = await rotateServerKey(project.id, graceSeconds)
  if (!rotated) return unknownProjectJson(project.id)
  return json(rotated)
})
