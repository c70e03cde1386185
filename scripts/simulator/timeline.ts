// All sessions' envelopes merged into one stream ordered by true send time.
// Memory: one pending envelope per open session.

import { generateSessions, type SimEnvelope, type SimulatorOptions } from './generator'

interface Entry {
  at: number
  env: SimEnvelope
  it: Iterator<SimEnvelope, void, undefined>
  order: number
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order)
}

class EntryHeap {
  private readonly items: Entry[] = []

  get size(): number {
    return this.items.length
  }

  peek(): Entry | undefined {
    return this.items[0]
  }

  push(e: Entry): void {
    const a = this.items
    let i = a.length
    a.push(e)
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = a[p]!
      if (!before(e, parent)) break
      a[i] = parent
      i = p
    }
    a[i] = e
  }

  pop(): Entry | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) this.siftDown(last)
    return top
  }

  /** Replaces the smallest entry with e (cheaper than pop + push). */
  replaceTop(e: Entry): void {
    this.siftDown(e)
  }

  private siftDown(e: Entry): void {
    const a = this.items
    const n = a.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && before(a[r]!, a[l]!) ? r : l
      const child = a[c]!
      if (!before(child, e)) break
      a[i] = child
      i = c
    }
    a[i] = e
  }
}

/**
 * Every envelope of every session, in ascending `at` (ties by session index),
 * lazily: sessions are started only when the stream reaches their opening.
 * This is what a live sender replays against the wall clock.
 */
export function* generateTimeline(options: SimulatorOptions): Generator<SimEnvelope, void, undefined> {
  const heap = new EntryHeap()
  const sessions = generateSessions(options)
  let next = sessions.next()
  for (;;) {
    // A session's first envelope is never earlier than max(its opening, startMs),
    // so it can wait outside the heap until the stream gets there.
    while (!next.done) {
      const top = heap.peek()
      const s = next.value
      if (top !== undefined && Math.max(s.startMs, options.startMs) > top.at) break
      const it = s.envelopes()
      const first = it.next()
      if (!first.done) heap.push({ at: first.value.at, env: first.value, it, order: s.index })
      next = sessions.next()
    }
    const top = heap.peek()
    if (top === undefined) return
    const env = top.env
    const n = top.it.next()
    if (n.done) {
      heap.pop()
    } else {
      top.env = n.value
      top.at = n.value.at
      heap.replaceTop(top)
    }
    yield env
  }
}
