import { z } from 'zod'
import { guarded, json, readJson, requireAdmin, unknownProjectJson } from '@/lib/http/json'
import { allowedOriginsSchema } from '@/lib/projects/allowed-origins'
import { resolveProject } from '@/lib/projects/project-ref'
import { setAllowedOrigins } from '@/lib/projects/project-store'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// The browser origins allowed to send events with the project's ingest key
// (docs/security.md). Admin only; an empty list allows any origin.
export const GET = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  return json({ project: project.id, allowedOrigins: project.allowedOrigins ?? [] })
})

export const PUT = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  const input = await readJson(request, z.object({ allowedOrigins: allowedOriginsSchema }))
  if (input instanceof Response) return input
  const updated = await setAllowedOrigins(project.id, input.allowedOrigins)
  if (!updated) return unknownProjectJson(project.id)
  return json({ project: project.id, allowedOrigins: updated.allowedOrigins })
})
