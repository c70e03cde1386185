import type { Project } from '../projects/project'
import { projectByDeployToken } from '../projects/project-directory'
import { sha256Hex, secretsEqual } from '../ids'
import { bearerToken } from './admin-token'
import { credentialsOf, isAdminRequest } from './authorize'

/** Releases and minimum versions: the admin (token or dashboard session) or the project's own deploy token. */
export async function isDeployRequest(request: Request, project: Project | undefined): Promise<boolean> {
  if (await isAdminRequest(credentialsOf(request))) return true
  const token = bearerToken(request.headers.get('authorization'))
  return Boolean(project && token && secretsEqual(sha256Hex(token), project.deployTokenHash))
}

/** The admin, or the holder of some project's deploy token: who may learn whether a project name exists (lib/http/route.ts deployRoute). */
export async function holdsDeployCredential(request: Request): Promise<boolean> {
  if (await isAdminRequest(credentialsOf(request))) return true
  const token = bearerToken(request.headers.get('authorization'))
  return Boolean(token && (await projectByDeployToken(token)))
}
