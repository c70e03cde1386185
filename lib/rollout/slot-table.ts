// Each tab's place in a wave, in typed arrays so that a million tabs take
// tens of megabytes, not hundreds (a Map of strings costs about ten times
// more): open addressing on a 53-bit hash of the session id, growing by
// doubling up to a bound. Two sessions whose hashes collide share a slot,
// which the wave's per-minute count still caps.

/** At most this many entries (2^21 slots at 0.7 load, about 38 MB). */
export const MAX_SLOT_CAPACITY = 2 ** 21
const MAX_LOAD = 0.7

/** 53 bits of two FNV-1a hashes of the id, never 0 (0 marks an empty slot). */
export function sessionKey(session: string): number {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < session.length; i++) {
    const c = session.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  const key = (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff)
  return key || 1
}

export interface SlotEntry {
  /** The slot's index in the wave: its start is the wave's start plus index × spacing (in wave time). */
  index: number
  /** When the last forced reload was granted, as seconds after `grantBase` plus 1; 0 = never. */
  grant: number
  landed: boolean
  /** What the tab's last heartbeat said of unsaved work; null = no heartbeat heard yet. */
  unsaved: boolean | null
}

const UNSAVED_CODE = { null: 0, false: 1, true: 2 } as const
const UNSAVED_OF = [null, false, true] as const

export class SlotTable {
  private keys: Float64Array
  private index: Uint32Array
  private grant: Uint32Array
  private landed: Uint8Array
  private unsaved: Uint8Array
  size = 0

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity)
    this.index = new Uint32Array(capacity)
    this.grant = new Uint32Array(capacity)
    this.landed = new Uint8Array(capacity)
    this.unsaved = new Uint8Array(capacity)
  }

  get capacity(): number {
    return this.keys.length
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.keys.length * (8 + 4 + 4 + 1 + 1)
  }

  /** True once no new entry fits. */
  get full(): boolean {
    return this.size + 1 > this.capacity * MAX_LOAD && this.capacity >= MAX_SLOT_CAPACITY
  }

  private find(key: number): number {
    const mask = this.keys.length - 1
    // The low bits of the key pick the start; linear probing from there.
    let i = (key % 4294967296) & mask
    while (this.keys[i] !== 0 && this.keys[i] !== key) i = (i + 1) & mask
    return i
  }

  get(key: number): SlotEntry | undefined {
    const i = this.find(key)
    if (this.keys[i] === 0) return undefined
    return { index: this.index[i]!, grant: this.grant[i]!, landed: this.landed[i] === 1, unsaved: UNSAVED_OF[this.unsaved[i]!]! }
  }

  /** Stores the entry; false when the table is full and the key is new. */
  set(key: number, entry: SlotEntry): boolean {
    let i = this.find(key)
    if (this.keys[i] === 0) {
      if (this.size + 1 > this.capacity * MAX_LOAD) {
        if (this.capacity >= MAX_SLOT_CAPACITY) return false
        this.grow()
        i = this.find(key)
      }
      this.keys[i] = key
      this.size++
    }
    this.index[i] = entry.index
    this.grant[i] = entry.grant
    this.landed[i] = entry.landed ? 1 : 0
    this.unsaved[i] = UNSAVED_CODE[`${entry.unsaved}`]
    return true
  }

  private grow(): void {
    const old = { keys: this.keys, index: this.index, grant: this.grant, landed: this.landed, unsaved: this.unsaved }
    const capacity = this.keys.length * 2
    this.keys = new Float64Array(capacity)
    this.index = new Uint32Array(capacity)
    this.grant = new Uint32Array(capacity)
    this.landed = new Uint8Array(capacity)
    this.unsaved = new Uint8Array(capacity)
    for (let j = 0; j < old.keys.length; j++) {
      const key = old.keys[j]!
      if (key === 0) continue
      const i = this.find(key)
      this.keys[i] = key
      this.index[i] = old.index[j]!
      this.grant[i] = old.grant[j]!
      this.landed[i] = old.landed[j]!
      this.unsaved[i] = old.unsaved[j]!
    }
  }
}
