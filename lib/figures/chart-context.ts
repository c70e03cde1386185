import type { ChartMarker } from '../charts/chart-data'
import type { Tone } from '../charts/palette'
import { catalogFor, type ProjectCatalog } from '../releases/catalog'
import { versionStatus } from '../semantics/rollout'
import { orderKey, releaseTimeline, type LatestRelease } from '../semantics/version-order'
import type { Project } from '../projects/project'

// What every chart loader needs about a project: its liveness window, its
// version catalog, its release timeline and the markers to draw. One is made
// per page render (or API request), so it also holds the reads its charts
// share.

export interface ChartContext {
  projectId: string
  windowSeconds: number
  catalog: ProjectCatalog
  timeline: LatestRelease[]
  source: 'auto' | 'raw'
  /** Reads already under way for this render, by figure and parameters (sharedRead). */
  reads: Map<string, Promise<unknown>>
}

export async function chartContext(project: Pick<Project, 'id' | 'livenessWindowSeconds'>, source: 'auto' | 'raw' = 'auto'): Promise<ChartContext> {
  const catalog = await catalogFor(project.id)
  return { projectId: project.id, windowSeconds: project.livenessWindowSeconds, catalog, timeline: releaseTimeline(catalog), source, reads: new Map() }
}

/**
 * One read per render for charts that ask the same figure with the same
 * parameters (a page's adoption and versions charts read the same live
 * minutes): the engine's two connections are what a page waits for. A read
 * that fails is not kept.
 */
export function sharedRead<T>(ctx: ChartContext, figure: string, params: object, read: () => Promise<T>): Promise<T> {
  const key = `${figure}\u0000${JSON.stringify(params)}`
  const known = ctx.reads.get(key) as Promise<T> | undefined
  if (known) return known
  const started = read()
  ctx.reads.set(key, started)
  started.catch(() => ctx.reads.delete(key))
  return started
}

export function markersIn(ctx: ChartContext, from: number, to: number): ChartMarker[] {
  const releases: ChartMarker[] = ctx.timeline
    .filter((r) => r.releasedAt >= from && r.releasedAt <= to)
    .map((r) => ({ at: r.releasedAt, label: r.version, kind: 'release' }))
  const minimums: ChartMarker[] = ctx.catalog.minSupportedChanges
    .filter((c) => c.changedAt >= from && c.changedAt <= to)
    .map((c) => ({ at: c.changedAt, label: c.version === null ? 'min cleared' : `min ${c.version}`, kind: 'min_supported' }))
  return [...releases, ...minimums].sort((a, b) => a.at - b.at)
}

/** Version names in release order, for stable colours and stacking. */
export function versionOrder(ctx: ChartContext): string[] {
  const order: string[] = []
  for (const r of ctx.timeline) if (!order.includes(r.version)) order.push(r.version)
  return order
}

/** A release instance by version and (optionally) time; the latest release of that version by default. */
export function findRelease(ctx: ChartContext, version: string, at?: number): LatestRelease | undefined {
  const matches = ctx.timeline.filter((r) => r.version === version && (at === undefined || r.releasedAt === at))
  return matches.at(-1)
}

/**
 * The tone of each version in a chart ending at `at` (lib/charts/palette.ts):
 * the latest release, versions newer than it, and stale ones ranked from the
 * most recent, by the version order at `at` (docs/semantics.md, Version
 * order). A version the order does not know counts as stale, last.
 */
export function versionTones(ctx: ChartContext, versions: Iterable<string>, at: number): Map<string, Tone> {
  const tones = new Map<string, Tone>()
  const newer: string[] = []
  const stale: string[] = []
  for (const version of new Set(versions)) {
    const status = versionStatus(ctx.catalog, version, at)
    if (status === 'latest') tones.set(version, { family: 'latest' })
    else if (status === 'newer') newer.push(version)
    else stale.push(version)
  }
  const key = (v: string) => orderKey(ctx.catalog, v, at) ?? -Infinity
  newer.sort((a, b) => key(a) - key(b)).forEach((v, rank) => tones.set(v, { family: 'newer', rank }))
  stale.sort((a, b) => key(b) - key(a)).forEach((v, rank) => tones.set(v, { family: 'stale', rank }))
  return tones
}
