import type { Project } from '../projects/project'
import { catalogFor, isRegistered, minSupportedAt } from '../releases/catalog'
import { isBelowMinimum } from '../semantics/rollout'
import { projectedEnd } from './pace'
import { AGE_BUCKETS, liveTabs } from '../figures/live-sessions/read-live-tabs'
import { rolloutSettings } from './settings'

// The blast radius of a new minimum M before it is set (docs/semantics.md, "Preview
// of a new minimum M at t"): the live tabs at t below M, split by visible,
// hidden and idle and by tab age, those with unsaved work counted apart, and
// the wave's pace: reloads per minute and an estimate of its end from the
// tabs' states (lib/rollout/pace.ts, the formula the live progress uses too):
// hidden or idle tabs with nothing unsaved go at their slot; tabs in use or
// with unsaved work wait until hidden or idle and saved, which no one can time.

export interface MinimumPreview {
  project: string
  version: string
  at: number
  /** The minimum in force at `at`. */
  current: string | null
  /** Whether the project registered this version as a release: no tab is ever below anything else (a typo previews nothing). */
  known: boolean
  tabs: {
    /** Live tabs below the new minimum: visible + hidden + idle. */
    total: number
    /** Visible and in use: they wait until hidden or idle. */
    visible: number
    hidden: number
    /** Visible with no input for the SDK's idle time. */
    idle: number
    /** Of all of them, those with unsaved work: they wait until it is saved or cleared. */
    unsaved: number
    byAge: { label: string; tabs: number }[]
  }
  /**
   * The tabs as the wave will meet them: those that go at their slot (hidden
   * or idle, nothing unsaved), and those that wait until they are hidden or
   * idle and saved, which no one can time.
   */
  estimate: { atSlot: number; waiting: number }
  reloadsPerMinute: number
  leadSeconds: number
  /** The wave's first forced reload, were the minimum set at `at`. */
  startsAt: number
  /**
   * An estimate: when the last of the tabs that go at their slot will have
   * started. Null at a rate of 0, and when no tab would go at its slot (none
   * below the minimum, or all waiting).
   */
  projectedEndAt: number | null
}

export async function previewMinimum(project: Project, version: string, at: number): Promise<MinimumPreview> {
  const [catalog, settings, rows] = await Promise.all([
    catalogFor(project.id),
    rolloutSettings(project.id, at),
    liveTabs({ projectId: project.id, at, windowSeconds: project.livenessWindowSeconds }),
  ])
  const known = isRegistered(catalog, version)
  const tabs = { total: 0, visible: 0, hidden: 0, idle: 0, unsaved: 0, byAge: AGE_BUCKETS.map((b) => ({ label: b.label, tabs: 0 })) }
  const estimate = { atSlot: 0, waiting: 0 }
  for (const row of rows) {
    if (!known || !isBelowMinimum(catalog, row.version, version, at)) continue
    tabs.total += row.sessions
    // A tab that reported no visibility in the window resumed from a freeze: hidden (docs/semantics.md, Liveness).
    if (row.visibility !== 'visible') tabs.hidden += row.sessions
    else if (row.idle) tabs.idle += row.sessions
    else tabs.visible += row.sessions
    if (row.unsaved) tabs.unsaved += row.sessions
    if ((row.visibility !== 'visible' || row.idle) && !row.unsaved) estimate.atSlot += row.sessions
    else estimate.waiting += row.sessions
    tabs.byAge[row.ageBucket]!.tabs += row.sessions
  }
  const startsAt = at + settings.leadSeconds * 1000
  return {
    project: project.id,
    version,
    at,
    current: minSupportedAt(catalog, at),
    known,
    tabs,
    estimate,
    reloadsPerMinute: settings.reloadsPerMinute,
    leadSeconds: settings.leadSeconds,
    startsAt,
    projectedEndAt: estimate.atSlot === 0 ? null : projectedEnd(estimate.atSlot, settings.reloadsPerMinute, startsAt),
  }
}
