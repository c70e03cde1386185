import { LocalTime } from '@/app/components/local-time'
import { projectPage } from '@/app/components/project-page'
import { SiteHeader } from '@/app/components/site-header'
import { VersionText } from '@/app/components/version-text'
import { formatDuration, formatShare } from '@/lib/charts/format'
import { pageChartContext } from '@/lib/figures/chart-context'
import { figureTick, sharedFigure } from '@/lib/figures/shared-reads'
import { DEFAULT_GRACE_MS, releaseSummaries } from '@/lib/figures/release-summaries/summaries'

export const dynamic = 'force-dynamic'

export default async function ReleasesPage({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { projects, project } = await projectPage((await searchParams).project)
  if (!project) {
    return (
      <>
        <SiteHeader projects={projects} current={undefined} section="releases" />
        <main><p className="empty">No project yet. Create one on the overview.</p></main>
      </>
    )
  }
  const now = figureTick()
  const ctx = await pageChartContext(project)
  const releases = await sharedFigure(project.id, 'releaseSummaries', { at: now }, () => releaseSummaries(ctx, { at: now }))
  const q = `project=${encodeURIComponent(project.id)}`
  return (
    <>
      <SiteHeader projects={projects} current={project} section="releases" />
      <main>
        <section className="panel">
          <h2>Releases</h2>
          {releases.length === 0 ? (
            <p className="empty">No release yet. Register one with POST /api/releases from CI; until then, versions count as released when first seen.</p>
          ) : (
            <div className="table-scroll">
              <table data-testid="releases-table">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Released</th>
                    <th scope="col" className="num">Adoption now</th>
                    <th scope="col" className="num">To 50 %</th>
                    <th scope="col" className="num">To 90 %</th>
                    <th scope="col" className="num">To 99 %</th>
                    <th scope="col" className="num">Stragglers at +{DEFAULT_GRACE_MS / 3600_000} h</th>
                    <th scope="col" className="num">Upgraded by reload</th>
                    <th scope="col">By reason</th>
                  </tr>
                </thead>
                <tbody>
                  {releases.map((r) => (
                    <tr key={`${r.version}-${r.releasedAt}`} data-version={r.version} data-released-at={r.releasedAt}>
                      <td>
                        <a href={`/releases/${encodeURIComponent(r.version)}?${q}&releasedAt=${r.releasedAt}`}><VersionText version={r.version} /></a>
                        {r.implicit ? <span className="badge">first seen</span> : null}
                      </td>
                      <td><LocalTime ms={r.releasedAt} /></td>
                      <td className="num" data-col="adoption">{formatShare(r.adoptionNow)}</td>
                      <td className="num" data-col="to50">{formatDuration(r.timeTo['50'])}</td>
                      <td className="num" data-col="to90">{formatDuration(r.timeTo['90'])}</td>
                      <td className="num" data-col="to99">{formatDuration(r.timeTo['99'])}</td>
                      <td className="num" data-col="stragglers">{r.stragglers ?? 'not yet'}</td>
                      <td className="num" data-col="upgraded">{r.upgradedByReload.total}</td>
                      <td className="reasons">{r.upgradedByReload.byReason.map((b) => `${b.reason} ${b.sessions}`).join(' · ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted">
            Adoption: live sessions on the release or a newer version. Time to X %: from the release to the first minute at which adoption reached X % (searched up to 7 days). Stragglers:
            sessions live on an older version one hour after the release.
          </p>
        </section>
      </main>
    </>
  )
}
