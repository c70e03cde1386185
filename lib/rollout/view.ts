import { formatDuration } from '../charts/format'
import { shortVersion } from '../charts/version-label'
import type { MinimumPreview } from './preview'
import type { WaveStatusView } from './status'

// What the rollout page says about a wave, prepared beside the data (the
// page only renders it). Pure.

export type WaveState = 'none' | 'waiting' | 'running' | 'paused' | 'done'

export interface WaveSummary {
  state: WaveState
  /** One line: "Running: 12 of 30 forced reloads started, 10 landed", "Paused: …". */
  text: string
}

/** "1 tab", "3 tabs". */
const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export function waveSummary(wave: WaveStatusView | null, now: number): WaveSummary {
  if (!wave) return { state: 'none', text: 'No minimum is set: no tab is forced to reload.' }
  const minimum = shortVersion(wave.minimum)
  const started = `${counted(wave.granted, 'forced reload')} started, ${wave.landed} landed`
  // No tab below and none on its way: nothing to start, whatever the lead says.
  if (wave.belowMinimum === 0 && wave.granted === wave.landed) return { state: 'done', text: `Done: no live tab is below ${minimum}; ${started}.` }
  const progress = `${started}; ${counted(wave.belowMinimum, 'live tab')} below ${minimum}`
  if (wave.paused) {
    const since = wave.pausedSince === null ? '' : ` for ${formatDuration(now - wave.pausedSince)}`
    return { state: 'paused', text: `Paused${since}: ${wave.causes.map((c) => c.summary).join('; ')}. No new forced reload starts. ${progress}.` }
  }
  if (wave.reloadsPerMinute === 0) return { state: 'paused', text: `Held: the reload rate is 0, so no forced reload starts. ${progress}.` }
  if (now < wave.startsAt) return { state: 'waiting', text: `Starts in ${Math.ceil((wave.startsAt - now) / 1000)} s (the lead: tabs hear of it first). ${progress}.` }
  return { state: 'running', text: `Running at ${wave.reloadsPerMinute} / min: ${progress}.` }
}

/** The preview's figures in one line, for the page's confirmation and the audit log. */
export function previewText(p: { tabs: { total: number; visible: number; hidden: number; idle: number; unsaved: number }; reloadsPerMinute: number }): string {
  const t = p.tabs
  return `${counted(t.total, 'live tab')} (${t.visible} visible, ${t.hidden} hidden, ${t.idle} idle; ${t.unsaved} with unsaved work) at ${p.reloadsPerMinute} / min`
}

/** When the preview's wave would end, in words that say it is an estimate; `time` formats an instant. */
export function previewEndText(p: Pick<MinimumPreview, 'version' | 'tabs' | 'estimate' | 'reloadsPerMinute' | 'projectedEndAt'>, time: (t: number) => string): string {
  const { atSlot, waiting } = p.estimate
  if (p.tabs.total === 0) return `No live tab is below ${p.version}: no tab would reload.`
  if (p.reloadsPerMinute <= 0) return 'Never: the reload rate is 0, so no forced reload starts.'
  const wait = `${counted(waiting, 'tab')} in use or with unsaved work reload only once hidden or idle and saved`
  if (p.projectedEndAt === null) return `No end can be estimated: the ${wait}.`
  const end = `About ${time(p.projectedEndAt)} for the ${counted(atSlot, 'hidden or idle tab')}, an estimate`
  return waiting === 0 ? `${end}.` : `${end}: the ${wait}, which may be later.`
}

/** An audit entry's detail and outcome in words. */
export function auditText(e: { action: string; detail: unknown; outcome: unknown }): { detail: string; outcome: string } {
  const d = e.detail as Record<string, unknown> | null
  let detail = ''
  if (e.action === 'min_supported') detail = d && 'tabs' in d ? `preview: ${previewText(d as Parameters<typeof previewText>[0])}` : 'no preview (cleared)'
  else if (e.action === 'guard_paused' || e.action === 'guard_resumed') detail = ((d?.causes as { summary: string }[] | undefined) ?? []).map((c) => c.summary).join('; ')
  else if (d) detail = Object.entries(d).map(([k, v]) => `${k} ${String(v)}`).join(', ')
  const o = e.outcome as Record<string, unknown> | null
  const outcome = !o
    ? ''
    : o.status === 'running' || o.status === 'ended'
      ? `${String(o.status)}: ${String(o.granted ?? 0)} started, ${String(o.landed ?? 0)} landed, at most ${String(o.maxPerMinute ?? 0)} in a minute`
      : String(o.status)
  return { detail, outcome }
}
