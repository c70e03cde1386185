import { formatDuration } from '../charts/format'
import { shortVersion } from '../charts/version-label'
import type { WaveStatusView } from './status'

// What the rollout page says about a wave, prepared beside the data (the
// page only renders it). Pure.

export type WaveState = 'none' | 'waiting' | 'running' | 'paused' | 'done'

export interface WaveSummary {
  state: WaveState
  /** One line: "Running: 12 of 30 forced reloads started, 10 landed", "Paused: …". */
  text: string
}

/** "1 live tab", "2 live tabs". */
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export function waveSummary(wave: WaveStatusView | null, now: number): WaveSummary {
  if (!wave) return { state: 'none', text: 'No minimum is set: no tab is forced to reload.' }
  const minimum = shortVersion(wave.minimum)
  const progress = `${count(wave.granted, 'forced reload', 'forced reloads')} started, ${wave.landed} landed; ${count(wave.belowMinimum, 'live tab', 'live tabs')} below ${minimum}`
  // Nothing below the minimum and nothing in flight: no countdown to a start that would reload nothing.
  if (wave.belowMinimum === 0 && wave.granted === wave.landed) {
    return { state: 'done', text: wave.granted === 0 ? `Nothing to reload: no live tab below ${minimum}.` : `Done: ${progress}.` }
  }
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
  return `${count(t.total, 'live tab', 'live tabs')} (${t.visible} visible, ${t.hidden} hidden, ${t.idle} idle; ${t.unsaved} with unsaved work) at ${p.reloadsPerMinute} / min`
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
