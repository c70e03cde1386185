// The arithmetic of backend load by client version (docs/semantics.md,
// Backend load by client version), one definition for the dashboard, the
// exports, the alerts and /api/metrics. Pure.

/** Labels the counts carry that are not versions: no tab runs them, so they have no tabs to divide by. */
export const NOT_A_VERSION: ReadonlySet<string> = new Set(['unknown', 'other'])

/** Requests from one version in one minute, and that version's live sessions at the end of the minute. */
export interface TabMinute {
  /** Epoch ms of the minute's start; its live sessions are those at minute + 60 s. */
  minute: number
  version: string
  requests: number
  liveTabs: number
}

/**
 * Requests per live tab over a set of (version, minute) cells: the requests
 * of the cells where the figure is defined (live tabs at the end of that
 * minute), divided by the sum of their live tabs. For one cell that is the
 * definition; for several (a chart's 5-minute point, "other", the versions
 * before a release, an alert's window) it is requests per tab-minute.
 * null (undefined, not 0) when no cell has a live tab.
 */
export function requestsPerTab(cells: Iterable<Pick<TabMinute, 'requests' | 'liveTabs'>>): number | null {
  let requests = 0
  let tabs = 0
  for (const c of cells) {
    if (c.liveTabs <= 0) continue
    requests += c.requests
    tabs += c.liveTabs
  }
  return tabs > 0 ? requests / tabs : null
}

/** Requests per second over a span of whole minutes. */
export const perSecond = (requests: number, minutes: number) => requests / (minutes * 60)
