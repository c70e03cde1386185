export interface Project {
  id: string
  name: string
  ingestKey: string
  deployTokenHash: string
  /** SHA-256 of the server key (aggregates only, docs/backend-load.md); '' when the project has none yet. */
  serverKeyHash: string
  livenessWindowSeconds: number
  createdAt: number
  /** Browser origins allowed to send events with this project's keys; empty or absent = any (docs/security.md). */
  allowedOrigins?: readonly string[]
}

export const DEFAULT_LIVENESS_WINDOW_SECONDS = 180
