export interface Project {
  id: string
  name: string
  ingestKey: string
  deployTokenHash: string
  livenessWindowSeconds: number
  createdAt: number
}

export const DEFAULT_LIVENESS_WINDOW_SECONDS = 180
