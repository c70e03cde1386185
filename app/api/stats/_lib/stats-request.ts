import { z } from 'zod'
import { errorJson, requireAdmin, unknownProjectJson } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { projectById } from '@/lib/projects/project-directory'
import { formatIssues } from '@/lib/validation'
import type { Project } from '@/lib/projects/project'

// Shared front half of the stats routes: admin check, query-string schema,
// project lookup. Each returns a Response to send, or the parsed request.

export async function statsRequest<S extends z.ZodType<{ project: string }>>(
  request: Request,
  schema: S,
): Promise<Response | { params: z.infer<S>; project: Project }> {
  const denied = requireAdmin(request)
  if (denied) return denied
  const parsed = schema.safeParse(searchParamsObject(request))
  if (!parsed.success) {
    return errorJson(400, 'invalid_request', formatIssues(parsed.error, { root: 'query', max: 1 }))
  }
  const project = await projectById(parsed.data.project)
  if (!project) return unknownProjectJson(parsed.data.project)
  return { params: parsed.data, project }
}
