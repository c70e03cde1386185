import { afterEach, describe, expect, it, vi } from 'vitest'
import { BufferFullError, ClosedError, GroupCommitBuffer, WriteFailedError } from '@/ingest/log/group-commit'

afterEach(() => vi.useRealTimers())

function recordingBuffer(options: { maxRows?: number; maxWaitMs?: number; maxBufferedRows?: number; fail?: boolean } = {}) {
  const writes: number[][] = []
  let release: (() => void) | null = null
  let holdNext = false
  const buffer = new GroupCommitBuffer<number>({
    maxRows: options.maxRows ?? 100,
    maxWaitMs: options.maxWaitMs ?? 50,
    maxBufferedRows: options.maxBufferedRows ?? 1000,
    write: async (rows) => {
      writes.push(rows)
      if (holdNext) {
        holdNext = false
        await new Promise<void>((resolve) => (release = resolve))
      }
      if (options.fail) throw new Error('engine down')
    },
  })
  return { buffer, writes, hold: () => (holdNext = true), release: () => release?.() }
}

describe('group commit', () => {
  it('puts rows of concurrent callers into one write after the wait', async () => {
    vi.useFakeTimers()
    const { buffer, writes } = recordingBuffer({ maxWaitMs: 50 })
    const done = [buffer.add([1, 2]), buffer.add([3]), buffer.add([4, 5])]
    await vi.advanceTimersByTimeAsync(49)
    expect(writes).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await Promise.all(done)
    expect(writes).toEqual([[1, 2, 3, 4, 5]])
  })

  it('flushes at once when maxRows rows are waiting', async () => {
    vi.useFakeTimers()
    const { buffer, writes } = recordingBuffer({ maxRows: 3, maxWaitMs: 10_000 })
    await Promise.all([buffer.add([1, 2]), buffer.add([3])])
    expect(writes).toEqual([[1, 2, 3]])
  })

  it('settles a caller only after the write that carried its rows', async () => {
    const { buffer, hold, release } = recordingBuffer({ maxRows: 1 })
    hold()
    let settled = false
    const pending = buffer.add([1]).then(() => (settled = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(settled).toBe(false)
    release()
    await pending
    expect(settled).toBe(true)
  })

  it('keeps one write in flight; rows arriving meanwhile go in the next one', async () => {
    const { buffer, writes, hold, release } = recordingBuffer({ maxRows: 1 })
    hold()
    const first = buffer.add([1])
    await new Promise((r) => setTimeout(r, 5))
    const second = buffer.add([2])
    const third = buffer.add([3])
    await new Promise((r) => setTimeout(r, 5))
    expect(writes).toEqual([[1]])
    release()
    await Promise.all([first, second, third])
    expect(writes).toEqual([[1], [2, 3]])
  })

  it('rejects every caller of a failed write and acknowledges none', async () => {
    const { buffer } = recordingBuffer({ maxRows: 2, fail: true })
    const results = await Promise.allSettled([buffer.add([1]), buffer.add([2])])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(WriteFailedError)
  })

  it('refuses rows past its bound at once, and takes them again once written', async () => {
    const { buffer, hold, release } = recordingBuffer({ maxRows: 5, maxBufferedRows: 5 })
    hold()
    const first = buffer.add([1, 2, 3, 4, 5])
    await expect(buffer.add([6])).rejects.toBeInstanceOf(BufferFullError)
    release()
    await first
    await expect(buffer.add([7, 8, 9, 10, 11])).resolves.toBeUndefined()
  })

  it('close() writes what is waiting and refuses new rows', async () => {
    vi.useFakeTimers()
    const { buffer, writes } = recordingBuffer({ maxWaitMs: 60_000 })
    const pending = buffer.add([1])
    await buffer.close()
    await pending
    expect(writes).toEqual([[1]])
    await expect(buffer.add([2])).rejects.toBeInstanceOf(ClosedError)
  })
})
