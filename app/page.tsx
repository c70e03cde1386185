import { requireDashboardSession } from './dashboard-session'
import { AutoRefresh } from './components/auto-refresh'
import { CreateProjectForm } from './components/create-project-form'
import { LiveChart } from './components/live-chart'
import { listProjects } from '@/lib/projects/project-store'
import { liveSessions } from '@/lib/queries/live-sessions'
import { liveSeries } from '@/lib/queries/live-series'
import { catalogFor } from '@/lib/releases/catalog'
import { isOrderedBefore, latestReleaseAt, releaseTimeline } from '@/lib/releases/version-order'
import { stackByVersion } from '@/lib/charts/stack-by-version'

export const dynamic = 'force-dynamic'

const HOUR_MS = 3600_000

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  await requireDashboardSession()
  const { project: requested } = await searchParams
  const projects = await listProjects()
  const project = projects.find((p) => p.id === requested) ?? projects[0]

  return (
    <>
      <header className="top">
        <h1>Stalewatch</h1>
        <nav aria-label="Projects">
          {projects.map((p) => (
            <a key={p.id} href={`/?project=${p.id}`} aria-current={p.id === project?.id ? 'page' : undefined}>
              {p.name}
            </a>
          ))}
        </nav>
        <form method="post" action="/api/auth/logout">
          <button type="submit">Log out</button>
        </form>
      </header>
      <main>{project ? <ProjectOverview projectId={project.id} windowSeconds={project.livenessWindowSeconds} /> : <FirstRun />}</main>
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

async function ProjectOverview({ projectId, windowSeconds }: { projectId: string; windowSeconds: number }) {
  const now = Date.now()
  const [live, rows, catalog] = await Promise.all([
    liveSessions({ projectId, at: now, windowSeconds }),
    liveSeries({ projectId, from: now - HOUR_MS, to: now, windowSeconds }),
    catalogFor(projectId),
  ])
  const latest = latestReleaseAt(catalog, now)
  const timeline = releaseTimeline(catalog)
  const order = timeline.map((r) => r.version)
  const series = stackByVersion(rows, now - HOUR_MS, now, order)
  const stale = latest ? live.versions.filter((v) => isOrderedBefore(catalog, v.version, latest.version, now)) : []
  const staleSessions = stale.reduce((sum, v) => sum + v.sessions, 0)
  const staleShare = live.total > 0 ? staleSessions / live.total : null

  return (
    <>
      <AutoRefresh seconds={30} />
      <div className="stats">
        <div className="stat">
          <div className="label">Live sessions now</div>
          <div className="value" data-testid="live-total">{live.total}</div>
        </div>
        <div className="stat">
          <div className="label">Latest release</div>
          <div className="value">{latest?.version ?? '—'}</div>
        </div>
        <div className="stat">
          <div className="label">Stale share now</div>
          <div className="value" data-testid="stale-share">{staleShare === null ? '—' : `${(staleShare * 100).toFixed(1)} %`}</div>
        </div>
      </div>
      <section className="panel">
        <h2>Live sessions per version, last hour</h2>
        <LiveChart series={series} releases={timeline.map((r) => ({ version: r.version, at: r.releasedAt }))} />
      </section>
      <section className="panel">
        <h2>Versions live now</h2>
        {live.versions.length === 0 ? (
          <p className="empty">Nothing is live right now.</p>
        ) : (
          <table data-testid="versions-table">
            <thead>
              <tr>
                <th>Version</th>
                <th className="num">Live sessions</th>
                <th className="num">Visible</th>
                <th className="num">Hidden</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {live.versions.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td><code>{v.version}</code></td>
                  <td className="num">{v.sessions}</td>
                  <td className="num">{v.visible}</td>
                  <td className="num">{v.hidden}</td>
                  <td>{v.version === latest?.version ? 'latest' : stale.includes(v) ? 'stale' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">Live means an event in the last {windowSeconds / 60} minutes. Refreshes every 30 s.</p>
      </section>
    </>
  )
}
