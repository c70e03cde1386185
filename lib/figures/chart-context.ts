import type { ChartMarker } from '../charts/chart-data'
import type { Tone } from '../charts/palette'
import { catalogFor, type ProjectCatalog } from '../releases/catalog'
import { releaseTimeline, type LatestRelease } from '../semantics/version-order'
import type { Project } from '../projects/project'
import { figureTickMs, sharedFigure } from './shared-reads'

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
  /** A dashboard page's render: its reads are shared with every viewer within the tick (shared-reads.ts). Exports and tests read afresh. */
  acrossViewers: boolean
  /** When the context was made: a page's figures are as of the tick before it (figureTick). */
  madeAt: number
}

export async function chartContext(project: Pick<Project, 'id' | 'livenessWindowSeconds'>, source: 'auto' | 'raw' = 'auto', acrossViewers = false): Promise<ChartContext> {
  const catalog = await catalogFor(project.id)
  return { projectId: project.id, windowSeconds: project.livenessWindowSeconds, catalog, timeline: releaseTimeline(catalog), source, reads: new Map(), acrossViewers, madeAt: Date.now() }
}

/** The context of a dashboard page's render: figures at the tick, shared with every viewer (shared-reads.ts). */
export const pageChartContext = (project: Pick<Project, 'id' | 'livenessWindowSeconds'>): Promise<ChartContext> => chartContext(project, 'auto', true)

/**
 * One read per render for charts that ask the same figure with the same
 * parameters (a page's adoption and versions charts read the same live
 * minutes), and one per tick for every viewer who asks the same
 * (shared-reads.ts): the engine's two connections are what a page waits
 * for. A read that fails is not kept.
 */
export function sharedRead<T>(ctx: ChartContext, figure: string, params: object, read: () => Promise<T>): Promise<T> {
  const key = `${figure}\u0000${JSON.stringify(params)}`
  const known = ctx.reads.get(key) as Promise<T> | undefined
  if (known) return known
  const started = ctx.acrossViewers ? sharedFigure(ctx.projectId, figure, params, read) : read()
  ctx.reads.set(key, started)
  started.catch(() => ctx.reads.delete(key))
  return started
}

export function markersIn(ctx: ChartContext, from: number, to: number): ChartMarker[] {
  // A page's window ends at the tick its figures are computed at, up to one
  // tick before the render (shared-reads.ts). A release or minimum change in
  // the tick after such an end (the person who made it opens the page next)
  // is drawn at the window's right edge, not left out until the next tick;
  // the page's chart exports, asked with the same end, say the same.
  const tick = figureTickMs()
  const last = to % tick === 0 ? Math.max(to, Math.min(to + tick, ctx.madeAt)) : to
  const at = (t: number) => Math.min(t, to)
  const releases: ChartMarker[] = ctx.timeline
    .filter((r) => r.releasedAt >= from && r.releasedAt <= last)
    .map((r) => ({ at: at(r.releasedAt), label: r.version, kind: 'release' }))
  const minimums: ChartMarker[] = ctx.catalog.minSupportedChanges
    .filter((c) => c.changedAt >= from && c.changedAt <= last)
    .map((c) => ({ at: at(c.changedAt), label: c.version === null ? 'min cleared' : `min ${c.version}`, kind: 'min_supported' }))
  return [...releases, ...minimums].sort((a, b) => a.at - b.at)
}

/** The versions a deploy token or the admin registered: charts never fold them into "other". */
export function registeredVersions(ctx: ChartContext): Set<string> {
  return new Set(ctx.catalog.releases.map((r) => r.version))
}

/** Version names in release order, for stacking. */
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
 * When each version of the project first appeared: first seen, or its
 * earliest registered release if that came first. Both are stored and do
 * not move, so the order they make is the project's for good.
 */
function appearedAt(ctx: ChartContext): Map<string, number> {
  const at = new Map(ctx.catalog.firstSeen)
  for (const r of ctx.catalog.releases) at.set(r.version, Math.min(r.releasedAt, at.get(r.version) ?? Infinity))
  return at
}

/** A version the catalog does not know yet still gets a colour of its own, from its name. */
function nameIndex(version: string): number {
  let h = 0
  for (let i = 0; i < version.length; i++) h = (h * 31 + version.charCodeAt(i)) >>> 0
  return h
}

/**
 * The tone of each version (lib/charts/palette.ts): its place in the order
 * in which the project's versions appeared, so a version keeps its colour
 * for the life of the project whatever is released after it
 * (docs/dashboard.md, Colours).
 */
export function versionTones(ctx: ChartContext, versions: Iterable<string>): Map<string, Tone> {
  const appeared = appearedAt(ctx)
  const order = [...appeared].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
  const index = new Map(order.map(([version], i) => [version, i]))
  return new Map([...new Set(versions)].map((v) => [v, { family: 'version', index: index.get(v) ?? nameIndex(v) }]))
}
