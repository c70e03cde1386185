import { json, readJson} from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { createProject, listProjects, newProjectSchema } from '@/lib/projects/project-store'

export const dynamic = 'force-dynamic'

export const GET = adminRoute(async () => {
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

export const POST = adminRoute(async (request) => {
  const input = await readJson(request, newProjectSchema)
  if (input instanceof Response) return input
  return json(await createProject(input), 201)
})
