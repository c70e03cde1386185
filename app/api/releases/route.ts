import { z } from 'zod'
import { errorJson, guarded, json, readJsonBody, requireAdmin, validate } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { resolveProject } from '@/lib/projects/project-ref'
import { listReleases, newReleaseSchema, registerRelease } from '@/lib/releases/release-store'
import { isDeployRequest } from '@/lib/auth/deploy-token'

export const dynamic = 'force-dynamic'

const listQuery = z.object({ project: z.string().min(1, 'project is required') })

export const GET = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const query = listQuery.safeParse(searchParamsObject(request))
  if (!query.success) return errorJson(400, 'invalid_request', 'project: give ?project=<id or name>')
  const project = await resolveProject(query.data.project)
  if (project instanceof Response) return project
  const releases = await listReleases(project.id)
  return json({ releases: releases.map(({ version, releasedAt, commit, createdAt }) => ({ version, releasedAt, commit, createdAt })) })
})

// Called from CI on deploy, with the project's deploy token (or the admin token).
// Who may call is decided before the body is judged, so a caller without a
// token learns nothing about the body's rules; a project that does not exist
// is a 404 whatever the token (lib/projects/project-ref.ts).
export const POST = guarded(async (request) => {
  const body = await readJsonBody(request)
  const named = typeof (body as { project?: unknown })?.project === 'string' ? (body as { project: string }).project : null
  const project = named ? await resolveProject(named) : undefined
  if (project instanceof Response) return project
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  if (body instanceof Response) return body
  const input = validate(newReleaseSchema, body)
  if (input instanceof Response) return input
  if (!project) return errorJson(400, 'invalid_request', 'project: give the project id or name')
  const release = await registerRelease({ ...input, project: project.id })
  return json({ project: release.projectId, version: release.version, releasedAt: release.releasedAt, commit: release.commit }, 201)
})
