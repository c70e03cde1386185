// Query-string parsing for the stats APIs; the parameters' rules are in lib/validation.ts.

export function searchParamsObject(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams)
}
