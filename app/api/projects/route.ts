import { guarded, json, readJson, requireAdmin } from '@/lib/http/json'
import { createProject, listProjects, newProjectSchema } from '@/lib/projects/project-store'

export const dynamic = 'force-dynamic'

export const GET = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const projects = await listProjects()
  return json({
    projects: projects.map((p) => ({
      id: p.id,
      name: p.name,
      ingestKey: p.ingestKey,
      livenessWindowSeconds: p.livenessWindowSeconds,
      createdAt: p.createdAt,
    })),
  })
})

export const POST = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const input = await readJson(request, newProjectSchema)
  if (input instanceof Response) return input
  return json(await createProject(input), 201)
})
