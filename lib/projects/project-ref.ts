import { errorJson } from '../http/json'
import type { Project } from './project'
import { projectById, projectsNamed } from './project-directory'

// Every API route that takes a project takes its id (`p_…`) or its name, the
// way people and CI scripts name it. A project that does not exist is a 404
// naming what was asked for, before any token is judged, so the answer never
// blames a deploy token that is fine.

/** The project `ref` names (id first, then a unique name), or the 404/409 Response to send. */
export async function resolveProject(ref: string): Promise<Project | Response> {
  const byId = await projectById(ref)
  if (byId) return byId
  const named = await projectsNamed(ref)
  if (named.length === 1) return named[0]!
  if (named.length > 1)
    return errorJson(409, 'ambiguous_project', `${named.length} projects are named ${JSON.stringify(ref)} (${named.map((p) => p.id).join(', ')}): give the id.`)
  return errorJson(404, 'unknown_project', `No project with id or name ${JSON.stringify(ref)}.`)
}
