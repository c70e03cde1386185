import { errorJson } from '@/lib/http/json'

/** A minimum (or a preview of one) that is not a registered release: no tab is ever below it (docs/semantics.md, What a tab is told). */
export const unknownVersion = (version: string, projectId: string): Response =>
  errorJson(404, 'unknown_version', `Version ${JSON.stringify(version)} is not a registered release of project ${projectId}, so no tab would be below it; register it first (POST /api/releases).`)
