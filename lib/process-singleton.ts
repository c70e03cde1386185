// Next.js bundles route modules apart from server.ts, so a module-level
// variable exists once per bundle in one process. What must exist once per
// process (the store's connections, the ingest buffer, caches, the background
// jobs) lives on globalThis under Symbol.for('stalewatch.<name>') instead.

type Holder = Record<symbol, unknown>

const keyOf = (name: string) => Symbol.for(`stalewatch.${name}`)

/** This process's one value under `name`, made by `create` on first use. */
export function processSingleton<T>(name: string, create: () => T): T {
  const holder = globalThis as Holder
  const key = keyOf(name)
  if (!(key in holder)) holder[key] = create()
  return holder[key] as T
}

/** The value under `name` if one was made, without making it. */
export function existingSingleton<T>(name: string): T | undefined {
  return (globalThis as Holder)[keyOf(name)] as T | undefined
}

/** Forgets the value under `name` (it was closed or stopped); the next processSingleton makes a new one. */
export function dropSingleton(name: string): void {
  delete (globalThis as Holder)[keyOf(name)]
}
