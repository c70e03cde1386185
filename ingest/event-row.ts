/** One row of the events table, as the writer sends it (times in epoch ms). */
export interface EventRow {
  project_id: string
  event_id: string
  session_id: string
  load_id: string
  version: string
  type: string
  event_time: number
  client_ts: number
  received_at: number
  visibility: string
  navigation: string
  previous_version: string
  reason: string
  action: string
  latest: string
  message: string
  /** Browser family and major version from the User-Agent (migration 0030); absent = column default. */
  browser?: string
  browser_major?: number
}
