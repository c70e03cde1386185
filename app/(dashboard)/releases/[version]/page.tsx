import { notFound } from 'next/navigation'
import { BackendLoadPanels } from '@/app/components/backend-load-panels'
import { ChartPanel } from '@/app/components/chart-panel'
import { LocalTime } from '@/app/components/local-time'
import { projectPage } from '@/app/components/project-page'
import { SiteHeader } from '@/app/components/site-header'
import { CopyButton } from '@/app/components/copy-button'
import { VersionText } from '@/app/components/version-text'
import { listReleases } from '@/lib/releases/release-store'
import { formatDuration, formatShare } from '@/lib/charts/format'
import { findRelease, pageChartContext } from '@/lib/figures/chart-context'
import { figureTick, sharedFigure } from '@/lib/figures/shared-reads'
import { releaseSummaries } from '@/lib/figures/release-summaries/summaries'

export const dynamic = 'force-dynamic'

const MINUTE = 60_000

/** The segment as Next.js hands it over is still percent-encoded; one that does not decode names no release. */
function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}
const DAY = 24 * 3600_000

export default async function ReleasePage({
  params,
  searchParams,
}: {
  params: Promise<{ version: string }>
  searchParams: Promise<{ project?: string; releasedAt?: string }>
}) {
  const { version } = await params
  const query = await searchParams
  const { projects, project } = await projectPage(query.project)
  if (!project) notFound()
  const ctx = await pageChartContext(project)
  const releasedAt = query.releasedAt && /^\d+$/.test(query.releasedAt) ? Number(query.releasedAt) : undefined
  const asked = decodedSegment(version)
  const release = asked === null ? undefined : findRelease(ctx, asked, releasedAt)
  const now = figureTick()
  if (!release) {
    return (
      <>
        <SiteHeader projects={projects} current={project} section="releases" />
        <main><p className="empty">No release {asked ?? version} in this project.</p></main>
      </>
    )
  }
  const [[summary], registered] = await Promise.all([sharedFigure(project.id, 'releaseSummaries', { at: now, only: release }, () => releaseSummaries(ctx, { at: now, only: release })), sharedFigure(project.id, 'releases', { at: now }, () => listReleases(project.id))])
  const record = registered.find((r) => r.version === release.version && r.releasedAt === release.releasedAt)
  // Since the release (with a little before it), at most a week.
  const from = Math.max(release.releasedAt - 15 * MINUTE, now - 7 * DAY)
  const request = { from, to: now, release }
  return (
    <>
      <SiteHeader projects={projects} current={project} section="releases" />
      <main>
        <h2 className="page-title">
          Release <VersionText version={release.version} /> <CopyButton text={release.version} label="the whole version" />{' '}
          <span className="muted">· {release.implicit ? 'first seen' : 'released'} <LocalTime ms={release.releasedAt} /></span>
        </h2>
        <p className="muted release-facts" data-testid="release-facts">
          Version <code className="whole">{release.version}</code>
          {record ? (
            <>
              {' '}· {record.commit ? <>commit <code className="whole">{record.commit}</code></> : 'no commit given'} · registered <LocalTime ms={record.createdAt} />
            </>
          ) : (
            ' · not registered: counted as released when first seen'
          )}
        </p>
        {summary ? (
          <div className="stats" data-testid="release-stats">
            <div className="stat"><div className="label">Adoption now</div><div className="value" data-testid="adoption-now">{formatShare(summary.adoptionNow)}</div></div>
            <div className="stat"><div className="label">Time to 50 %</div><div className="value" data-testid="to50">{formatDuration(summary.timeTo['50'])}</div></div>
            <div className="stat"><div className="label">Time to 90 %</div><div className="value" data-testid="to90">{formatDuration(summary.timeTo['90'])}</div></div>
            <div className="stat"><div className="label">Time to 99 %</div><div className="value" data-testid="to99">{formatDuration(summary.timeTo['99'])}</div></div>
            <div className="stat"><div className="label">Stragglers at +1 h</div><div className="value" data-testid="stragglers">{summary.stragglers ?? 'not yet'}</div></div>
            <div className="stat">
              <div className="label">Upgraded by reload</div>
              <div className="value" data-testid="upgraded">{summary.upgradedByReload.total}</div>
              <div className="sub">{summary.upgradedByReload.byReason.map((b) => `${b.reason} ${b.sessions}`).join(' · ')}</div>
              <div className="sub">sessions with reloaded loads onto this release, by the reason sent before (user: none sent)</div>
            </div>
          </div>
        ) : null}
        <ChartPanel ctx={ctx} name="adoption" request={request} title="Adoption since the release" />
        <ChartPanel ctx={ctx} name="aligned" request={request} title="Compared with the previous releases, aligned at their release time" note="Each curve is a release's adoption, starting at its own release time: a slow rollout runs below the others." />
        <ChartPanel ctx={ctx} name="versions" request={request} title="Live sessions per version" />
        <ChartPanel ctx={ctx} name="visibility" request={request} title="Visible and hidden sessions per version" note="Hidden tabs are drawn lighter. 'unknown': a session that reported no visibility in its liveness window." />
        <ChartPanel
          ctx={ctx}
          name="reloads"
          request={request}
          title="Reload events per minute by reason"
          note="Reload events are what a tab sends just before it reloads, with its reason. The browser's own reload button sends none: those reloads count in the tile above (as user), not here."
        />
        <ChartPanel ctx={ctx} name="skew-errors" request={request} title="Skew errors per minute by cause" note="Code that failed to load in a tab, by why (docs: skew errors)." />
        <ChartPanel ctx={ctx} name="skew-errors-by-version" request={request} title="Skew errors per minute by version" />
        <ChartPanel ctx={ctx} name="skew-errors-older-share" request={request} title="Share of skew errors from builds older than the latest" />
        <BackendLoadPanels ctx={ctx} request={request} />
      </main>
    </>
  )
}
