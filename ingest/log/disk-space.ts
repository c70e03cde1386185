import { statfs } from 'node:fs/promises'
import path from 'node:path'

// Ingest sheds before the disk is full, not after: the free space of the
// filesystems ingest writes to (the ingest log's, the embedded engine's) is
// read every second, and while the lowest is under the floor, store() is
// refused with DiskLowError (503 disk_low with Retry-After). Between two
// reads, each append of the log spends its bytes from the last reading first
// (reserve), so a writer faster than the reads meets the floor, not a full
// disk. A write that fails anyway (something else filled the disk) is cut
// back and refused by the log itself, and makes the watch look again at once.

export class DiskLowError extends Error {
  constructor(
    readonly freeBytes: number,
    readonly minFreeBytes: number,
  ) {
    super(`the disk is nearly full: ${freeBytes} bytes free, ${minFreeBytes} kept free`)
    this.name = 'DiskLowError'
  }
}

/** Free bytes for an unprivileged writer on the filesystem of `dir`, or of its nearest existing parent. */
async function freeBytesAt(dir: string): Promise<number> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      const s = await statfs(at)
      return s.bavail * s.bsize
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at) throw error
    }
  }
}

export class DiskSpaceWatch {
  private free = Infinity
  /** Bytes reserved since the process started: a reading subtracts what was reserved while it ran. */
  private reserved = 0
  private refreshing: Promise<void> | null = null
  private readonly timer: ReturnType<typeof setInterval>

  constructor(
    private readonly dirs: readonly string[],
    readonly minFreeBytes: number,
    intervalMs = 1000,
  ) {
    this.refresh()
    this.timer = setInterval(() => this.refresh(), intervalMs)
    this.timer.unref()
  }

  /** Reads the free space again now (one read at a time). */
  refresh(): Promise<void> {
    const reservedBefore = this.reserved
    this.refreshing ??= Promise.all(this.dirs.map((d) => freeBytesAt(d).catch(() => Infinity)))
      .then((free) => {
        this.free = Math.min(...free) - (this.reserved - reservedBefore)
      })
      .finally(() => {
        this.refreshing = null
      })
    return this.refreshing
  }

  freeBytes(): number {
    return this.free
  }

  isLow(): boolean {
    return this.free < this.minFreeBytes
  }

  /** Spends `bytes` about to be written from the free space; a DiskLowError (nothing spent) if that would go below the floor. */
  reserve(bytes: number): DiskLowError | null {
    if (this.free - bytes < this.minFreeBytes) return new DiskLowError(Math.max(0, this.free), this.minFreeBytes)
    this.free -= bytes
    this.reserved += bytes
    return null
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

interface Sink<Row, Stats> {
  add(rows: Row[]): Promise<void>
  flush(): Promise<void>
  close(): Promise<void>
  stats(): Stats
}

/** The sink, refusing new rows while the disk is low, with the disk's figures in its stats. */
export function shedWhenDiskLow<Row, Stats extends object>(sink: Sink<Row, Stats>, watch: DiskSpaceWatch): Sink<Row, Stats & { diskFreeBytes: number; diskMinFreeBytes: number }> {
  return {
    add: (rows) => (watch.isLow() ? Promise.reject(new DiskLowError(watch.freeBytes(), watch.minFreeBytes)) : sink.add(rows)),
    flush: () => sink.flush(),
    close: async () => {
      watch.stop()
      await sink.close()
    },
    stats: () => ({ ...sink.stats(), diskFreeBytes: watch.freeBytes(), diskMinFreeBytes: watch.minFreeBytes }),
  }
}
