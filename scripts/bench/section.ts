// The contract between `npm run bench` (scripts/bench.ts) and its sections.
// Each section lives in its own file under scripts/bench/, measures its own
// baseline in the same run, and returns a table; bench.ts prints every table
// and writes them all to bench-results/<timestamp>.json.

export interface BenchTable {
  title: string
  columns: string[]
  rows: (string | number)[][]
  /** Lines printed under the table: targets, verdicts, caveats. */
  notes?: string[]
}

export interface BenchOptions {
  /** --quick: smaller data and shorter steps, for a smoke run (figures not representative). */
  quick: boolean
  /** --events N: data size for sections that generate data (the queries section). */
  events?: number
  /** --clickhouse-url: the ingest section's servers store into this ClickHouse server instead of an embedded engine each. */
  clickhouseUrl?: string
  /** --data-dir D: where the queries and pages sections keep their generated dataset, reused by later runs. */
  dataDir?: string
  /** --tabs N[,N…]: live tab counts for the live-tabs section. */
  tabs?: number[]
  /** --minutes M: how long the live-tabs section drives each tab count. */
  minutes?: number
  /** --baseline-dir: a checkout of the build to compare with (its own node_modules and app build), for sections that measure A/B. */
  baselineDir?: string
  /** Progress lines for long steps. */
  progress: (message: string) => void
}

export interface BenchSection {
  name: string
  run: (options: BenchOptions) => Promise<BenchTable[]>
}
