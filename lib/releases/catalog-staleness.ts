import { processSingleton } from '../process-singleton'

// Writers of releases and minimum changes mark a project's cached catalog
// stale here; the catalog compares the mark before it serves its cache. A
// module of its own so that the catalog reads the release store and the store
// marks the catalog with no import running both ways.

const marks = () => processSingleton('catalogStaleness', () => new Map<string, number>())

/** After a release or a minimum change of this project: the next catalogFor() reloads. */
export function invalidateCatalog(projectId: string): void {
  marks().set(projectId, catalogGeneration(projectId) + 1)
}

export function catalogGeneration(projectId: string): number {
  return marks().get(projectId) ?? 0
}
