import { ChartPanel } from '@/app/components/chart-panel'
import { LocalTime } from '@/app/components/local-time'
import { projectPage } from '@/app/components/project-page'
import { RangePicker } from '@/app/components/range-picker'
import { SiteHeader } from '@/app/components/site-header'
import { pageChartContext } from '@/lib/figures/chart-context'
import { figureTick } from '@/lib/figures/shared-reads'
import { MAX_WINDOW_MS } from '@/lib/figures/chart-request'
import { chartDef, EXPLORER_CHARTS } from '@/lib/figures/charts'

export const dynamic = 'force-dynamic'

const HOUR = 3600_000

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

export default async function ExplorerPage({ searchParams }: { searchParams: Promise<{ project?: string; from?: string; to?: string }> }) {
  const query = await searchParams
  const { projects, project } = await projectPage(query.project)
  const now = figureTick()
  const to = parseTime(query.to) ?? now
  let from = parseTime(query.from) ?? to - 6 * HOUR
  const problems: string[] = []
  if (from >= to) {
    problems.push('The start was not before the end: showing the 6 hours before the end.')
    from = to - 6 * HOUR
  }
  if (to - from > MAX_WINDOW_MS) {
    problems.push('The window is at most 7 days: showing the last 7 days of it.')
    from = to - MAX_WINDOW_MS
  }
  if (!project) {
    return (
      <>
        <SiteHeader projects={projects} current={undefined} section="explorer" />
        <main><p className="empty">No project yet. Create one on the overview.</p></main>
      </>
    )
  }
  const ctx = await pageChartContext(project)
  const request = { from, to }
  return (
    <>
      <SiteHeader projects={projects} current={project} section="explorer" />
      <main>
        <section className="panel">
          <h2>Explorer</h2>
          <RangePicker project={project.id} from={from} to={to} />
          <p className="muted" data-testid="explorer-window">
            <LocalTime ms={from} /> → <LocalTime ms={to} />. The address of this page keeps the window: paste it into an incident review. Markers: releases (dotted lines) and changes of the minimum supported version (dashed lines); any without a label in the chart are listed under it.
          </p>
          {problems.map((p) => (
            <p key={p} className="error" role="status">{p}</p>
          ))}
        </section>
        {EXPLORER_CHARTS.map((name) => (
          <ChartPanel key={name} ctx={ctx} name={name} request={request} title={chartDef(name).title} />
        ))}
      </main>
    </>
  )
}
