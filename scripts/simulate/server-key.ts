// The server key the simulated app server sends its counts with: the one
// given, or a new one rotated through the admin API (the previous key keeps
// working for an hour, so servers already running with it are not cut off).

export interface AdminJson {
  json<T>(method: string, pathname: string, body?: unknown): Promise<{ status: number; data: T }>
}

export class ServerKeyError extends Error {}

export async function simulatorServerKey(given: string | undefined, admin: AdminJson | undefined, projectId: string | undefined): Promise<string> {
  if (given) return given
  if (admin === undefined || projectId === undefined) throw new ServerKeyError("The simulated app server needs the project's server key: pass --server-key, or the admin token to rotate it.")
  const { status, data } = await admin.json<{ serverKey?: string; error?: string }>('POST', `/api/projects/${encodeURIComponent(projectId)}/rotate-server-key`, { graceSeconds: 3600 })
  if (status >= 300 || !data.serverKey) throw new ServerKeyError(`Rotating the project's server key failed (${status}: ${data.error ?? 'no serverKey in the answer'}); pass --server-key.`)
  console.log("Rotated the project's server key for the simulated app server (the previous key keeps working for an hour; pass --server-key to use yours).")
  return data.serverKey
}
