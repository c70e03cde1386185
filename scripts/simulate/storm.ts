// `npm run simulate -- --storm` (see scripts/simulate.ts --help): replays the
// incident of issue 17 against a running Stalewatch, live. The plan is
// scripts/simulator/storm.ts; this is its I/O: releases, the server key and the
// alert rule through the admin API, tab events through /api/ingest, the
// backend traffic through the real middleware (scripts/simulator/backend), and
// one line a minute of what the simulated app server served, by build.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { SimBackend, WELL_BEHAVED, misbehaving } from '../simulator/backend/index'
import { fakeCommit, planStorm, type StormBuild, type StormPlan } from '../simulator/index'
import type { IngestEnvelope, WireEvent } from '../../sdk/src/wire'
import { simulatorServerKey, type AdminJson } from './server-key'

export interface StormArgs {
  url: string
  key: string
  projectId: string
  admin: AdminJson
  /** The project's server key; rotated through the admin API when absent. */
  serverKey?: string
  tabs: number
  seed: number
  calmSeconds: number
  blipSeconds: number
  afterSeconds: number
  /** How many times as often the old build polls. */
  misbehave: number
  /** Where the rule notifies; a receiver in this process (on loopback) when absent. */
  alertUrl?: string
}

interface Transition {
  ruleId: string
  kind: string
  at: number
  summary: string
}

const RULE_NAME = 'Reconnect storm by version (simulate --storm)'
const MINUTE = 60_000
const HEARTBEAT_MS = 60_000
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8)
const rate = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1))

class StormError extends Error {}

async function postEvents(args: StormArgs, tab: StormPlan['tabs'][number], events: WireEvent[]): Promise<boolean> {
  const envelope: IngestEnvelope = { key: args.key, session: tab.session, load: tab.load, version: tab.version, sentAt: Date.now(), events }
  try {
    const res = await fetch(`${args.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope), signal: AbortSignal.timeout(10_000) })
    await res.body?.cancel()
    return res.ok
  } catch {
    return false
  }
}

/** A webhook receiver on loopback that prints what it is sent. */
async function startReceiver(): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      try {
        const n = JSON.parse(body) as { type?: string; summary?: string }
        received.push(n.type ?? 'unknown')
        console.log(`  ✉ notification received: ${n.type} — ${n.summary}`)
      } catch {
        received.push('unparsable')
      }
      res.writeHead(204)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stalewatch-alert`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Creates the storm rule, replacing one a previous run left; null when the server refuses its destination. */
async function createRule(args: StormArgs, plan: StormPlan, url: string): Promise<string | null> {
  const listed = await args.admin.json<{ rules?: { id: string; name: string }[] }>('GET', `/api/alerts/rules?project=${encodeURIComponent(args.projectId)}`)
  for (const old of (listed.data.rules ?? []).filter((r) => r.name === RULE_NAME)) await args.admin.json('DELETE', `/api/alerts/rules/${encodeURIComponent(old.id)}`)
  const { status, data } = await args.admin.json<{ id?: string; error?: string | { code?: string; message?: string } }>('POST', '/api/alerts/rules', {
    project: args.projectId,
    name: RULE_NAME,
    condition: plan.rule,
    destinations: [{ kind: 'webhook', url }],
  })
  if (status === 201 && data.id) return data.id
  const why = typeof data.error === 'string' ? data.error : (data.error?.message ?? `HTTP ${status}`)
  console.warn(
    `  ! The alert rule was not created (${why}).\n` +
      '    To receive its notification here, start Stalewatch with STALEWATCH_WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32, or pass --alert-url.\n' +
      '    The storm still runs; the dashboard shows it.',
  )
  return null
}

async function transitionsOf(args: StormArgs, ruleId: string): Promise<Transition[]> {
  const { status, data } = await args.admin.json<{ transitions?: Transition[] }>('GET', `/api/alerts/history?project=${encodeURIComponent(args.projectId)}&limit=100`)
  if (status >= 300) return []
  return (data.transitions ?? []).filter((t) => t.ruleId === ruleId).reverse()
}

/** One line for a minute the simulated app server served: requests/s and reconnects by build. */
function minuteLine(plan: StormPlan, backend: SimBackend, minute: number): string {
  const served = backend.server.served().get(minute)
  const builds: StormBuild[] = ['old', 'previous', 'latest']
  const parts = builds.map((b) => {
    const m = served?.get(plan.versions[b])
    return `${b} ${rate((m?.requests ?? 0) / 60)} req/s, ${m?.reconnects ?? 0} reconnects`
  })
  const phase = minute + MINUTE <= plan.blipAt ? 'calm' : minute >= plan.blipAt + plan.blipMs ? 'after' : 'blip'
  return `${clock(minute).slice(0, 5)} (${phase})  ${parts.join(' · ')} · ${backend.server.openSockets()} sockets open`
}

export async function runStorm(args: StormArgs): Promise<number> {
  const plan = planStorm({ nowMs: Date.now(), tabs: args.tabs, seed: args.seed, calmMs: args.calmSeconds * 1000, blipMs: args.blipSeconds * 1000, afterMs: args.afterSeconds * 1000 })
  for (const r of plan.releases) {
    const { status, data } = await args.admin.json<{ error?: string }>('POST', '/api/releases', { project: args.projectId, version: r.version, releasedAt: r.releasedAt, commit: fakeCommit(r.version) })
    if (status >= 300) throw new StormError(`Registering release ${r.version} failed (${status}): ${data.error ?? ''}`)
  }
  const count = (b: StormBuild) => plan.tabs.filter((t) => t.build === b).length
  console.log(
    `Storm: ${plan.tabs.length} tabs — ${count('old')} on the old build ${plan.versions.old} (mostly in the background, misbehaving ×${args.misbehave}), ` +
      `${count('previous')} on ${plan.versions.previous}, ${count('latest')} on the latest ${plan.versions.latest}.`,
  )
  const serverKey = await simulatorServerKey(args.serverKey, args.admin, args.projectId)
  const receiver = args.alertUrl ? null : await startReceiver()
  const ruleId = await createRule(args, plan, args.alertUrl ?? receiver!.url)
  if (ruleId) console.log(`Alert rule "${RULE_NAME}": reconnect_storm, any version above ${plan.rule.minPerMinute} reconnects a minute (or 5× its baseline).`)

  const backend = await SimBackend.start({ stalewatchUrl: args.url, serverKey, seed: args.seed, warn: (m) => console.warn(`  ! ${m}`) })
  let stopping = false
  const onSigint = () => {
    stopping = true
  }
  process.on('SIGINT', onSigint)
  const seq = new Map<string, number>()
  const nextId = (session: string) => {
    const n = seq.get(session) ?? 0
    seq.set(session, n + 1)
    return `${session}-${n.toString(36)}`
  }
  let refused = 0
  const nextBeat = new Map<string, number>()
  try {
    // Every tab reports its load, then heartbeats once a minute as the SDK does, hidden or not.
    for (let i = 0; i < plan.tabs.length; i += 16) {
      const chunk = plan.tabs.slice(i, i + 16)
      const sent = await Promise.all(chunk.map((t) => postEvents(args, t, [{ id: nextId(t.session), type: 'load', ts: Date.now(), visibility: t.hidden ? 'hidden' : 'visible', navigation: 'navigate' }])))
      refused += sent.filter((ok) => !ok).length
    }
    if (refused === plan.tabs.length) throw new StormError(`Stalewatch at ${args.url} accepted none of the tabs' events; check --key.`)
    plan.tabs.forEach((t, i) => {
      nextBeat.set(t.session, Date.now() + ((i * HEARTBEAT_MS) / plan.tabs.length))
      backend.tab(t.session, t.version, t.hidden, t.build === 'old' ? misbehaving(args.misbehave) : WELL_BEHAVED)
    })
    console.log(`Tabs open. Calm for ${args.calmSeconds} s, then a backend blip of ${args.blipSeconds} s at ${clock(plan.blipAt)}, then ${args.afterSeconds} s after it.`)

    let blipped = false
    let printedMinute = Math.floor(Date.now() / MINUTE) * MINUTE
    let seen = 0
    let lastPoll = 0
    while (!stopping && Date.now() < plan.endAt) {
      const now = Date.now()
      if (!blipped && now >= plan.blipAt) {
        blipped = true
        backend.server.blip(plan.blipMs)
        console.log(`${clock(now)}  BLIP: every socket dropped; the backend refuses for ${args.blipSeconds} s.`)
      }
      const due = plan.tabs.filter((t) => (nextBeat.get(t.session) ?? Infinity) <= now)
      for (const t of due) nextBeat.set(t.session, now + HEARTBEAT_MS)
      void Promise.all(due.map((t) => postEvents(args, t, [{ id: nextId(t.session), type: 'heartbeat', ts: now, visibility: t.hidden ? 'hidden' : 'visible' }])))
      const minute = Math.floor(now / MINUTE) * MINUTE
      if (minute > printedMinute) {
        console.log(minuteLine(plan, backend, printedMinute))
        printedMinute = minute
      }
      if (ruleId && now - lastPoll >= 5_000) {
        lastPoll = now
        const transitions = await transitionsOf(args, ruleId)
        for (const t of transitions.slice(seen)) {
          const after = Math.round((t.at - plan.blipAt) / 1000)
          console.log(`${clock(t.at)}  ALERT ${t.kind.toUpperCase()} (${after >= 0 ? `${after} s after the blip began` : `${-after} s before the blip`}): ${t.summary}`)
        }
        seen = transitions.length
      }
      await sleep(500)
    }
    console.log(`${minuteLine(plan, backend, Math.floor(Date.now() / MINUTE) * MINUTE)} (so far)`)
  } finally {
    process.off('SIGINT', onSigint)
    await backend.close()
    await receiver?.close()
  }
  const explorer = `${args.url}/explorer?project=${encodeURIComponent(args.projectId)}&from=${plan.startAt - 5 * MINUTE}&to=${plan.endAt + 5 * MINUTE}`
  console.log(`Done. The storm by version: ${explorer}`)
  if (!ruleId) return 0
  // The last counts were just sent: give the evaluator (every 30 s) a last look.
  const deadline = Date.now() + (stopping ? 0 : 45_000)
  let fired: Transition | undefined
  for (;;) {
    fired = (await transitionsOf(args, ruleId)).find((t) => t.kind === 'firing')
    if (fired || Date.now() >= deadline) break
    await sleep(5_000)
  }
  if (!fired) {
    console.error('simulate: the reconnect-storm rule did not fire during the run.')
    return 1
  }
  console.log(`The alert fired at ${clock(fired.at)}, ${Math.round((fired.at - plan.blipAt) / 1000)} s after the blip began: ${fired.summary}`)
  return 0
}

export { StormError }
