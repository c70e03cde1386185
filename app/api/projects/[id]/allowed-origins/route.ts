import { z } from 'zod'
import { json, readJson, unknownProjectJson } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { allowedOriginsSchema } from '@/lib/projects/allowed-origins'
import { projectById } from '@/lib/projects/project-directory'
import { setAllowedOrigins } from '@/lib/projects/project-store'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// The browser origins allowed to send events with the project's ingest key
// (docs/security.md). Admin only; an empty list allows any origin.
export const GET = adminRoute(async (request, context: Context) => {
  const { id } = await context.params
  const project = await projectById(id)
  if (!project) return unknownProjectJson(id)
  return json({ project: id, allowedOrigins: project.allowedOrigins ?? [] })
})

export const PUT = adminRoute(async (request, context: Context) => {
  const { id } = await context.params
  const input = await readJson(request, z.object({ allowedOrigins: allowedOriginsSchema }))
  if (input instanceof Response) return input
  const updated = await setAllowedOrigins(id, input.allowedOrigins)
  if (!updated) return unknownProjectJson(id)
  return json({ project: id, allowedOrigins: updated.allowedOrigins })
})
