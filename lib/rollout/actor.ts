import { isAdminBearer } from '../auth/admin-token'
import type { Actor } from './audit'

// Who made a change, for the audit log: the credential the request carried.
// Call it on a request already authorised (isDeployRequest / requireAdmin):
// the admin bearer token, else a dashboard session (the only other admin
// credential), else the project's deploy token.
export function actorOf(request: Request, admin: boolean): Actor {
  if (isAdminBearer(request.headers.get('authorization'))) return 'admin token'
  return admin ? 'dashboard' : 'deploy token'
}
