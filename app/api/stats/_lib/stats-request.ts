import { z } from 'zod'
import { errorJson } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { resolveProject } from '@/lib/projects/project-ref'
import type { Project } from '@/lib/projects/project'
import { formatIssues } from '@/lib/validation'

// Shared front half of the stats routes (after adminRoute's check): query-string schema,
// project lookup. Each returns a Response to send, or the parsed request.

export async function statsRequest<S extends z.ZodType<{ project: string }>>(
  request: Request,
  schema: S,
): Promise<Response | { params: z.infer<S>; project: Project }> {
  const parsed = schema.safeParse(searchParamsObject(request))
  if (!parsed.success) {
    return errorJson(400, 'invalid_request', formatIssues(parsed.error, { root: 'query', max: 1 }))
  }
  const project = await resolveProject(parsed.data.project)
  if (project instanceof Response) return project
  return { params: { ...parsed.data, project: project.id }, project }
}
