import { isAdminBearer } from '../auth/admin-token'
import { credentialsOf, isAdminRequest } from '../auth/authorize'
import type { Actor } from './audit'

// Who made a change, for the audit log: the credential the request carried.
// Call it on a request already authorised (adminRoute / deployRoute in
// lib/http/route.ts): the admin bearer token, else a dashboard session (the
// only other admin credential), else the project's deploy token.
export async function actorOf(request: Request): Promise<Actor> {
  if (isAdminBearer(request.headers.get('authorization'))) return 'admin token'
  return (await isAdminRequest(credentialsOf(request))) ? 'dashboard' : 'deploy token'
}
