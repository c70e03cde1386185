import { z } from 'zod'
import { errorJson, json, readJsonBody, validate, unknownProjectJson } from '@/lib/http/json'
import { adminRoute, deployRoute } from '@/lib/http/route'
import { searchParamsObject } from '@/lib/http/query-params'
import { projectById } from '@/lib/projects/project-directory'
import { listReleases, newReleaseSchema, registerRelease } from '@/lib/releases/release-store'

export const dynamic = 'force-dynamic'

const listQuery = z.object({ project: z.string().min(1, 'project is required') })

export const GET = adminRoute(async (request) => {
  const query = listQuery.safeParse(searchParamsObject(request))
  if (!query.success) return errorJson(400, 'invalid_request', 'project: give ?project=<id>')
  if (!(await projectById(query.data.project))) return unknownProjectJson(query.data.project)
  const releases = await listReleases(query.data.project)
  return json({ releases: releases.map(({ version, releasedAt, commit, createdAt }) => ({ version, releasedAt, commit, createdAt })) })
})

// Called from CI on deploy, with the project's deploy token (or the admin token).
// The project is named by the body; who may call is decided before the body is judged.
const projectNamedInBody = async (request: Request) => {
  const body = await readJsonBody(request.clone())
  const named = typeof (body as { project?: unknown })?.project === 'string' ? (body as { project: string }).project : null
  return named ? projectById(named) : undefined
}

export const POST = deployRoute(projectNamedInBody, async (request, _context, project) => {
  const body = await readJsonBody(request)
  if (body instanceof Response) return body
  const input = validate(newReleaseSchema, body)
  if (input instanceof Response) return input
  if (!project) return unknownProjectJson(input.project)
  const release = await registerRelease(input)
  return json({ project: release.projectId, version: release.version, releasedAt: release.releasedAt, commit: release.commit }, 201)
})
