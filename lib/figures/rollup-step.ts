import type { ProjectCatalog } from '../releases/catalog'

// What a figure's rollup step is given. lib/rollup-runner/ decides which
// minutes a run finalises, cuts them into chunks and runs every figure's
// steps (lib/figures/registry.ts lists them) on the background connection.

export interface RollupChunk {
  projectId: string
  windowSeconds: number
  /** Finalise [from, to): minute buckets in it, live boundaries from `from` up to and including `to`. */
  from: number
  to: number
  /** Nothing was stored for these minutes before, so there is nothing to overwrite. */
  fresh: boolean
  /** The first chunk of the project's first run: figures may settle what lies before its first event. */
  firstEver: boolean
  /** One catalog for the whole run. */
  catalog: ProjectCatalog
}

export interface RollupEdge {
  projectId: string
  windowSeconds: number
  /** The edge the run is about to publish. */
  through: number
  catalog: ProjectCatalog
}

export interface RollupStep {
  name: string
  /** Finalises one chunk of minutes. */
  chunk?: (chunk: RollupChunk) => Promise<void>
  /**
   * Stores figures for the whole edge, after every chunk and before the edge
   * is published. A failure is logged and does not hold the edge back: pages
   * then compute the same figures the slow way.
   */
  atEdge?: (edge: RollupEdge) => Promise<void>
  /**
   * For inputs other than the tab events (whose late arrivals the runner finds
   * by their receive time): the earliest finalised minute before `through`
   * that this figure's inputs changed since it was rolled up, or null. A run
   * with no new minute closed does work only when some step, or a late tab
   * event, says so.
   */
  lateBefore?: (projectId: string, through: number) => Promise<number | null>
}
