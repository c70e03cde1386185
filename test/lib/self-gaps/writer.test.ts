import { describe, expect, it } from 'vitest'
import { tickRows, type IngestHealth } from '@/lib/self-gaps/writer'

// What one heartbeat tick records of ingest's state (lib/self-gaps/writer.ts): pure.

const health = (over: Partial<IngestHealth['buffer']> = {}, rejected: [string, number][] = []): IngestHealth => ({
  rejectedByReason: new Map(rejected),
  buffer: { waitingRows: 0, inFlightRows: 0, capacityRows: 1000, bytes: 0, capacityBytes: 1_000_000, flushes: 10, failedFlushes: 0, diskFreeBytes: 5e9, diskMinFreeBytes: 1e9, ...over },
})

const kinds = (rows: ReturnType<typeof tickRows>) => rows.map((r) => [r.kind, r.code, r.value])

describe('a heartbeat tick', () => {
  it('is a heartbeat alone when all is well', () => {
    expect(kinds(tickRows('n', 1, 10_000, health(), health(), 0.5))).toEqual([['beat', '', 0]])
  })

  it("records the tick's 503s by code, not the counters since start, and not the other refusals", () => {
    const before = health({}, [['overloaded', 7], ['invalid_envelope', 3]])
    const now = health({ flushes: 11 }, [['overloaded', 12], ['disk_low', 2], ['invalid_envelope', 9]])
    expect(kinds(tickRows('n', 1, 10_000, now, before, 0.5))).toEqual([
      ['beat', '', 0],
      ['shed', 'overloaded', 5],
      ['shed', 'disk_low', 2],
    ])
  })

  it('records a backlog from the bound, the fuller of rows and bytes', () => {
    expect(kinds(tickRows('n', 1, 10_000, health({ waitingRows: 499, flushes: 11 }), health(), 0.5))).toEqual([['beat', '', 0]])
    expect(kinds(tickRows('n', 1, 10_000, health({ waitingRows: 10, bytes: 600_000, flushes: 11 }), health(), 0.5))).toEqual([
      ['beat', '', 0],
      ['backlog', '', 0.6],
    ])
  })

  it('records the disk under its floor', () => {
    expect(kinds(tickRows('n', 1, 10_000, health({ diskFreeBytes: 5e8 }), health(), 0.5))).toEqual([
      ['beat', '', 0],
      ['disk_low', '', 5e8],
    ])
  })

  it('records storage blocked when a store failed, or rows waited the whole tick with none stored', () => {
    expect(kinds(tickRows('n', 1, 10_000, health({ failedFlushes: 1 }), health(), 0.5))).toEqual([
      ['beat', '', 0],
      ['storage_blocked', '', 0],
    ])
    const waiting = health({ waitingRows: 40 })
    expect(kinds(tickRows('n', 1, 10_000, health({ waitingRows: 60 }), waiting, 0.5))).toEqual([
      ['beat', '', 0],
      ['storage_blocked', '', 60],
    ])
    // Rows waiting, but the log stored some in the tick: draining.
    expect(kinds(tickRows('n', 1, 10_000, health({ waitingRows: 60, flushes: 11 }), waiting, 0.5))).toEqual([['beat', '', 0]])
  })
})
