import { z } from 'zod'
import { errorJson, requireAdmin } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { resolveProject } from '@/lib/projects/project-ref'
import type { Project } from '@/lib/projects/project'

// Shared front half of the stats routes: admin check, query-string schema,
// project lookup. Each returns a Response to send, or the parsed request.

/** Epoch ms or an ISO 8601 date, so links pasted into incident reviews can carry readable times. */
export const timeParam = z.union([
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(0).max(8.64e15)),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be epoch ms or an ISO 8601 date').transform((s) => Date.parse(s)),
])

export async function statsRequest<S extends z.ZodType<{ project: string }>>(
  request: Request,
  schema: S,
): Promise<Response | { params: z.infer<S>; project: Project }> {
  const denied = requireAdmin(request)
  if (denied) return denied
  const parsed = schema.safeParse(searchParamsObject(request))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return errorJson(400, 'invalid_request', `${issue?.path.join('.') || 'query'}: ${issue?.message}`)
  }
  const project = await resolveProject(parsed.data.project)
  if (project instanceof Response) return project
  return { params: { ...parsed.data, project: project.id }, project }
}
