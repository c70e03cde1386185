import { z } from 'zod'
import { errorJson, guarded, json, readJsonBody, requireAdmin, validate, unknownProjectJson } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { projectById } from '@/lib/projects/project-directory'
import { listReleases, newReleaseSchema, registerRelease } from '@/lib/releases/release-store'
import { isDeployRequest } from '@/lib/auth/deploy-token'

export const dynamic = 'force-dynamic'

const listQuery = z.object({ project: z.string().min(1, 'project is required') })

export const GET = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const query = listQuery.safeParse(searchParamsObject(request))
  if (!query.success) return errorJson(400, 'invalid_request', 'project: give ?project=<id>')
  if (!(await projectById(query.data.project))) return unknownProjectJson(query.data.project)
  const releases = await listReleases(query.data.project)
  return json({ releases: releases.map(({ version, releasedAt, commit, createdAt }) => ({ version, releasedAt, commit, createdAt })) })
})

// Called from CI on deploy, with the project's deploy token (or the admin token).
// Who may call is decided before the body is judged, so a caller without a
// token learns nothing about the body's rules.
export const POST = guarded(async (request) => {
  const body = await readJsonBody(request)
  const named = typeof (body as { project?: unknown })?.project === 'string' ? (body as { project: string }).project : null
  const project = named ? await projectById(named) : undefined
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  if (body instanceof Response) return body
  const input = validate(newReleaseSchema, body)
  if (input instanceof Response) return input
  if (!project) return unknownProjectJson(input.project)
  const release = await registerRelease(input)
  return json({ project: release.projectId, version: release.version, releasedAt: release.releasedAt, commit: release.commit }, 201)
})
