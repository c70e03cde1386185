import { AutoRefresh } from '@/app/components/auto-refresh'
import { BackendLoadPanels, BackendLoadStart } from '@/app/components/backend-load-panels'
import { ChartPanel } from '@/app/components/chart-panel'
import { CreateProjectForm } from '@/app/components/create-project-form'
import { LocalTime } from '@/app/components/local-time'
import { projectPage } from '@/app/components/project-page'
import { SiteHeader } from '@/app/components/site-header'
import { VersionText } from '@/app/components/version-text'
import { shortVersion } from '@/lib/charts/version-label'
import { formatDuration, formatShare } from '@/lib/charts/format'
import type { Project } from '@/lib/projects/project'
import { pageChartContext } from '@/lib/figures/chart-context'
import { figureTick, sharedFigure } from '@/lib/figures/shared-reads'
import { projectOverview } from '@/lib/figures/overview'
import { backendLoadSeen } from '@/lib/figures/backend-load/read-seen'
import { versionRefusals } from '@/lib/figures/version-refusals/read'

export const dynamic = 'force-dynamic'

const HOUR = 3600_000

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { projects, project } = await projectPage((await searchParams).project)
  return (
    <>
      <SiteHeader projects={projects} current={project} section="overview" />
      <main>{project ? <ProjectOverview project={project} /> : <FirstRun />}</main>
    </>
  )
}

function FirstRun() {
  return (
    <section className="panel">
      <h2>Create your first project</h2>
      <p className="muted">A project is one web app. Its ingest key goes into the SDK; its deploy token lets CI register releases.</p>
      <CreateProjectForm />
    </section>
  )
}

function trend(now: number | null, before: number | null): string {
  if (now === null || before === null) return 'no comparison'
  const points = (now - before) * 100
  if (Math.abs(points) < 0.05) return 'same as an hour ago'
  return `${points > 0 ? '▲' : '▼'} ${Math.abs(points).toFixed(1)} pts vs an hour ago`
}

async function ProjectOverview({ project }: { project: Project }) {
  // Every viewer within one tick renders the same figures, computed once (lib/figures/shared-reads.ts).
  const now = figureTick()
  const ctx = await pageChartContext(project)
  const since = now - 24 * HOUR
  const [o, refused, serversReport] = await Promise.all([
    sharedFigure(project.id, 'overview', { at: now, windowSeconds: ctx.windowSeconds }, () => projectOverview(ctx, now)),
    sharedFigure(project.id, 'versionRefusals', { since }, () => versionRefusals({ projectId: project.id, since })),
    sharedFigure(project.id, 'backendLoadSeen', { since }, () => backendLoadSeen({ projectId: project.id, since })),
  ])
  const q = `project=${encodeURIComponent(project.id)}`
  return (
    <>
      <AutoRefresh seconds={30} />
      <div className="stats">
        <div className="stat">
          <div className="label">Live sessions now</div>
          <div className="value" data-testid="live-total">{o.approximate ? '≈ ' : ''}{o.liveTotal}</div>
        </div>
        <div className="stat">
          <div className="label">Stale share now</div>
          <div className="value" data-testid="stale-share">{o.approximate ? '≈ ' : ''}{formatShare(o.staleShare)}</div>
          <div className="sub" data-testid="stale-trend">{o.staleSessions} stale · {trend(o.staleShare, o.staleShareHourAgo)}</div>
          {o.staleUnregistered > 0 ? (
            <div className="sub" data-testid="stale-unregistered">
              {o.staleUnregistered === o.staleSessions ? 'all' : `${o.staleUnregistered} (${formatShare(o.staleUnregistered / o.staleSessions, 0)})`} on versions no release registered
            </div>
          ) : null}
        </div>
        <div className="stat">
          <div className="label">Latest release</div>
          <div className="value" data-testid="latest-version">
            {o.latest ? <a href={`/releases/${encodeURIComponent(o.latest.version)}?${q}&releasedAt=${o.latest.releasedAt}`} title={o.latest.version}>{shortVersion(o.latest.version)}</a> : '—'}
          </div>
          <div className="sub">{o.latest ? <>{o.latest.implicit ? 'first seen ' : 'released '}<LocalTime ms={o.latest.releasedAt} /></> : 'no release yet'}</div>
        </div>
        <div className="stat">
          <div className="label">Adoption of the latest release</div>
          <div className="value" data-testid="latest-adoption">{o.approximate ? '≈ ' : ''}{formatShare(o.latest?.adoption)}</div>
          <div className="sub">{o.latest ? `${o.latest.adopted} of ${o.liveTotal} live sessions` : ''}</div>
        </div>
        <div className="stat">
          <div className="label">Events refused for the version cap, last 24 hours</div>
          <div className="value" data-testid="version-refused">{refused.versionCap}</div>
          <div className="sub">
            {refused.newVersionRate} more held back by the new-version rate (retried by the SDK). Registered releases are never refused.
          </div>
        </div>
      </div>
      <ChartPanel ctx={ctx} name="versions" request={{ from: now - HOUR, to: now }} title="Live sessions per version, last hour" emptyText="No live sessions in this window yet. Send events to /api/ingest, or run npm run simulate." />
      <ChartPanel ctx={ctx} name="stale-share" request={{ from: now - 24 * HOUR, to: now }} title="Stale share, last 24 hours" emptyText="Nothing was live in the last 24 hours." />
      {serversReport ? <BackendLoadPanels ctx={ctx} request={{ from: now - HOUR, to: now }} span="last hour" /> : <BackendLoadStart />}
      <section className="panel">
        <h2>Versions live now</h2>
        {o.versions.length === 0 ? (
          <p className="empty">Nothing is live right now.</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="versions-table">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">Live sessions</th>
                  <th scope="col" className="num">Visible</th>
                  <th scope="col" className="num">Hidden</th>
                  <th scope="col" className="num">Median tab age</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {o.versions.map((v) => (
                  <tr key={v.version} data-version={v.version}>
                    <td><VersionText version={v.version} /></td>
                    <td>{v.status ? <span className={`badge ${v.status}`}>{v.status}</span> : null}</td>
                    <td className="num" data-col="sessions">{v.sessions}</td>
                    <td className="num" data-col="visible">{v.visible}</td>
                    <td className="num" data-col="hidden">{v.hidden}</td>
                    <td className="num">{formatDuration(v.medianTabAgeMs)}</td>
                    <td><LocalTime ms={v.firstSeen} /></td>
                    <td><LocalTime ms={v.lastSeen} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="muted" data-testid="accuracy">
          Live means an event in the last {o.windowSeconds / 60} minutes. Refreshes every 30 s.{' '}
          {o.approximate
            ? `Approximate (≈): ${o.approximate.figures.join(', ')}. More than ${o.approximate.exactLimit.toLocaleString('en')} sessions are live, so these come from 1 session in ${o.approximate.sampledOneIn} (${o.approximate.sampledSessions.toLocaleString('en')} sessions), each counted exactly and scaled up; the total is within ±${formatShare(o.approximate.totalError95)} with 95 % confidence. First and last seen are exact.`
            : 'Counts are exact.'}
        </p>
      </section>
    </>
  )
}
