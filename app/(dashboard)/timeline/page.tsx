import { ChartPanel } from '@/app/components/chart-panel'
import { LocalTime } from '@/app/components/local-time'
import { projectPage } from '@/app/components/project-page'
import { RangePicker } from '@/app/components/range-picker'
import { SiteHeader } from '@/app/components/site-header'
import { chartContext } from '@/lib/figures/chart-context'
import { readTimeline } from '@/lib/timeline/read'
import { timelinePath, timelineWindow } from '@/lib/timeline/window'
import { timeParam } from '@/lib/validation'
import { TimelineAxis } from './timeline-axis'

export const dynamic = 'force-dynamic'

const parseTime = (value: string | undefined) => {
  const parsed = value === undefined ? undefined : timeParam.safeParse(value)
  return parsed?.success ? parsed.data : undefined
}

// The incident timeline (docs/timeline.md): every source's entries for any
// window, on one time axis above the version mix, with the Markdown and JSON
// exports of the same window. The address keeps the window.
export default async function TimelinePage({ searchParams }: { searchParams: Promise<{ project?: string; from?: string; to?: string }> }) {
  const query = await searchParams
  const { projects, project } = await projectPage(query.project)
  if (!project) {
    return (
      <>
        <SiteHeader projects={projects} current={undefined} section="timeline" />
        <main><p className="empty">No project yet. Create one on the overview.</p></main>
      </>
    )
  }
  const window = timelineWindow(parseTime(query.from), parseTime(query.to), Date.now())
  const { from, to } = window
  const [timeline, ctx] = await Promise.all([readTimeline({ projectId: project.id, from, to, windowSeconds: project.livenessWindowSeconds }), chartContext(project)])
  const api = (format: string) => `/api/timeline?${new URLSearchParams({ project: project.id, from: String(from), to: String(to), format })}`
  const f = timeline.figures
  return (
    <>
      <SiteHeader projects={projects} current={project} section="timeline" />
      <main>
        <section className="panel">
          <h2>Timeline</h2>
          <RangePicker project={project.id} from={from} to={to} path="/timeline" />
          <p className="muted" data-testid="timeline-window">
            <LocalTime ms={from} /> → <LocalTime ms={to} />. <a href={timelinePath(project.id, from, to)}>Link to this window</a> · Export:{' '}
            <a href={api('md')} data-testid="export-markdown">Markdown</a> · <a href={api('json')} data-testid="export-json">JSON</a>
          </p>
          {window.ok ? null : <p className="error" role="status">{window.message}: showing {window.from === to - 6 * 3600_000 ? 'the 6 hours before the end' : 'the last 7 days of it'}.</p>}
          {timeline.missing.length > 0 ? <p className="error" role="status">Could not read: {timeline.missing.join(', ')}.</p> : null}
          <p data-testid="timeline-figures">
            Live tabs {f.liveAtStart} at the start, {f.liveAtEnd} at the end.{' '}
            {f.unheardMs > 0 ? `Stalewatch heard no tab for ${Math.round(f.unheardMs / 1000)} s of this window: the charts leave that stretch empty.` : ''}
          </p>
        </section>
        <section className="panel" aria-label="Timeline and version mix">
          <h2>What happened, above the version mix</h2>
          <TimelineAxis entries={timeline.entries} from={from} to={to} />
          <ChartPanel ctx={ctx} name="versions" request={{ from, to }} />
        </section>
        <section className="panel" aria-label="Entries">
          <h2>Entries</h2>
          {timeline.entries.length === 0 ? (
            <p className="empty">Nothing recorded in this window.</p>
          ) : (
            <div className="table-scroll">
            <table className="timeline-entries" data-testid="timeline-entries">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Until</th>
                  <th scope="col">Source</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {timeline.entries.map((e, i) => (
                  <tr key={`${e.at}-${i}`} data-source={e.source} data-kind={e.kind}>
                    <td><LocalTime ms={e.at} /></td>
                    <td>{e.to === undefined ? '' : <LocalTime ms={e.to} />}</td>
                    <td>{e.source}</td>
                    <td>{e.title}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
        </section>
      </main>
    </>
  )
}
