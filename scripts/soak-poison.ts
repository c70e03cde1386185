import { randomBytes } from 'node:crypto'

// The soak's poisoned-event fault (scripts/soak.ts): for a few seconds the
// senders' batches carry strings no UTF-8 store can hold as they are (lone
// surrogates, NUL, control characters) among their real heartbeats. Before
// issue 22 one such event was acknowledged and then stopped storage for every
// project. The edge now stores an error's message with U+FFFD in their place
// and refuses a version-like field that is not printable
// (docs/semantics.md, Strings); the soak's own checks then say whether every
// acknowledged event, the poisoned ones included, was stored.

/** Texts the engine could not parse or store as sent: lone high and low surrogates, NUL, C0 and C1 controls, mixed with good text. */
const POISON = ['boom \ud800', 'tail \udbff', '\udc00 lead', 'a\udfffb\ud800c', 'nul\u0000byte', 'bell\u0007esc\u001b', 'del\u007f c1\u0085', '\ud83d\ude00 fine pair \ud83d']

export interface PoisonedBatch {
  body: string
  /** Every event of the request. */
  ids: string[]
  /** The events the edge must refuse (a `latest` that is not printable): never acknowledged, so never counted as lost. */
  refused: string[]
}

/** Poisoned events sent (distinct ids), for the soak's summary; whether each was stored is the soak's own "lost" check. */
export const poisonSent = new Set<string>()

/** The summary line: poisoned events sent, acknowledged (so stored, or "lost" says otherwise) and refused. */
export function poisonSummary(acknowledged: ReadonlySet<string>): string {
  const acked = [...poisonSent].filter((id) => acknowledged.has(id)).length
  return `${poisonSent.size} sent, ${acked} acknowledged (lone surrogates and controls stored as U+FFFD), ${poisonSent.size - acked} not (the update_available events, refused for a latest that is not printable, and any still unanswered at the end)`
}

let seq = 0
const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(seq++).toString(36)}_${randomBytes(3).toString('hex')}`
const pick = () => POISON[Math.floor(Math.random() * POISON.length)]!

/** One tab's request: heartbeats, errors whose messages hold poison, and one update_available whose `latest` does. */
export function poisonedBatch(key: string, tab: { session: string; load: string; version: string }): PoisonedBatch {
  const now = Date.now()
  const events: Record<string, unknown>[] = [
    { id: newId('pb'), type: 'heartbeat', ts: now - 3, visibility: 'visible' },
    { id: newId('pe'), type: 'error', ts: now - 2, message: pick() },
    { id: newId('pe'), type: 'error', ts: now - 1, message: `${pick()} ${pick()}` },
    { id: newId('pu'), type: 'update_available', ts: now, latest: `v9${pick()}` },
  ]
  const ids = events.map((e) => e.id as string)
  for (const id of ids.slice(1)) poisonSent.add(id)
  return { body: JSON.stringify({ key, session: tab.session, load: tab.load, version: tab.version, sentAt: now, events }), ids, refused: [ids[3]!] }
}
