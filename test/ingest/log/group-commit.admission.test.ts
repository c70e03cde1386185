import { describe, expect, it } from 'vitest'
import { BufferFullError, GroupCommitBuffer } from '@/ingest/log/group-commit'

// Time-based admission: under overload, requests whose rows could not be
// stored before the ack deadline are refused at once (503), instead of being
// written and then answered 503 by the deadline anyway.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('group commit admission', () => {
  it('refuses rows that the learnt insert cost says would miss the ack deadline, and accepts a small request', async () => {
    const buffer = new GroupCommitBuffer<number>({
      // At least 0.2 ms per row, whatever the machine.
      write: async (rows) => {
        await sleep(rows.length * 0.2)
      },
      maxRows: 1_000_000,
      maxWaitMs: 60_000,
      maxBufferedRows: 1_000_000,
      ackTimeoutMs: 5_000,
    })
    // Nothing learnt yet: only the row cap applies.
    const first = buffer.add(Array.from({ length: 2_000 }, (_, i) => i))
    await buffer.flush()
    await first

    const small = buffer.add([1, 2, 3])
    // 12,500 rows at ≥ 0.2 ms each is ≥ 2.5 s: over half the 5 s deadline.
    await expect(buffer.add(Array.from({ length: 12_500 }, (_, i) => i))).rejects.toBeInstanceOf(BufferFullError)
    await buffer.close()
    await expect(small).resolves.toBeUndefined()
  })

  it('lets the estimate fall again after a slow spell, so admission recovers', async () => {
    let msPerRow = 1 // a slow spell: 1 ms per row
    const buffer = new GroupCommitBuffer<number>({
      write: async (rows) => {
        await sleep(rows.length * msPerRow)
      },
      maxRows: 1_000_000,
      maxWaitMs: 60_000,
      maxBufferedRows: 1_000_000,
      ackTimeoutMs: 2_000,
    })
    const rows = (n: number) => Array.from({ length: n }, (_, i) => i)
    const slow = buffer.add(rows(1_000))
    await buffer.flush()
    await slow
    // Learnt ~1 ms per row: 1,500 rows would take over half the 2 s deadline.
    await expect(buffer.add(rows(1_500))).rejects.toBeInstanceOf(BufferFullError)

    // The engine is fast again; only small inserts fit meanwhile, and they
    // must be enough to bring the estimate down.
    msPerRow = 0
    for (let i = 0; i < 20; i++) {
      const small = buffer.add(rows(500))
      await buffer.flush()
      await small
    }
    const large = buffer.add(rows(1_500))
    await buffer.flush()
    await expect(large).resolves.toBeUndefined()
  })
})
