import { errorMessage, log } from '../../lib/log'
import { insertRows } from '../../lib/store/run-query'
import { table } from '../../lib/store/tables'
import type { VersionRefusal } from './version-cap'

// Events refused by the version cap or the new-version rate, per project,
// minute and reason: counted in memory (a flood must not cost a write per
// request) and written to ingest_refusals every few seconds, where the
// overview reads them (lib/figures/version-refusals/read.ts). A failed write keeps
// its counts for the next try; past an hour of them, the oldest minutes go.

const WRITE_EVERY_MS = 5_000
const KEEP_MINUTES = 60

export class RefusalCounts {
  private pending = new Map<string, { projectId: string; minute: number; reason: VersionRefusal; events: number }>()
  private readonly timer: ReturnType<typeof setInterval>
  private writing: Promise<void> | undefined

  constructor(private readonly now: () => number = Date.now) {
    this.timer = setInterval(() => void this.write(), WRITE_EVERY_MS)
    this.timer.unref()
  }

  add(projectId: string, reason: VersionRefusal, events: number): void {
    const minute = Math.floor(this.now() / 60_000) * 60_000
    const key = `${projectId}\u0000${minute}\u0000${reason}`
    const entry = this.pending.get(key)
    if (entry) entry.events += events
    else this.pending.set(key, { projectId, minute, reason, events })
  }

  /** Writes what is counted; concurrent calls share one write. */
  write(): Promise<void> {
    this.writing ??= this.writeOnce().finally(() => {
      this.writing = undefined
    })
    return this.writing
  }

  private async writeOnce(): Promise<void> {
    if (this.pending.size === 0) return
    const batch = this.pending
    this.pending = new Map()
    try {
      await insertRows(
        'writeIngestRefusals',
        table('ingest_refusals'),
        [...batch.values()].map((r) => ({ project_id: r.projectId, minute: Math.floor(r.minute / 1000), reason: r.reason, events: r.events })),
      )
    } catch (error) {
      log.warn('ingest refusal counts not stored; retrying', { error: errorMessage(error) })
      const oldest = this.now() - KEEP_MINUTES * 60_000
      for (const [key, r] of batch) {
        if (r.minute < oldest) continue
        const entry = this.pending.get(key)
        if (entry) entry.events += r.events
        else this.pending.set(key, r)
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.write()
  }
}
