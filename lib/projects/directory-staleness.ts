import { processSingleton } from '../process-singleton'

// Writers of the projects tables mark the in-memory project directory stale
// here, and the directory compares the mark at its next lookup. A module of its
// own so that the directory can read the stores, and the stores mark it, with
// no import running both ways.

const mark = () => processSingleton('projectDirectoryStaleness', () => ({ generation: 0 }))

/** After a write to projects, keys or server keys: the next lookup reloads. */
export function invalidateProjectDirectory(): void {
  mark().generation++
}

export function directoryGeneration(): number {
  return mark().generation
}
