export interface Project {
  id: string
  name: string
  ingestKey: string
  deployTokenHash: string
  livenessWindowSeconds: number
  createdAt: number
  /** Browser origins allowed to send events with this project's keys; empty or absent = any (docs/security.md). */
  allowedOrigins?: readonly string[]
}

export const DEFAULT_LIVENESS_WINDOW_SECONDS = 180
