import { z } from 'zod'

// Query-string parsing for the stats APIs: typed, with errors naming the parameter.

export const epochMsParam = z.coerce.number().int().min(0).max(8.64e15)

export function searchParamsObject(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams)
}
