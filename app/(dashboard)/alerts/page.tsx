import { AutoRefresh } from '@/app/components/auto-refresh'
import { SiteHeader } from '@/app/components/site-header'
import { projectPage } from '@/app/components/project-page'
import { alertHistory, rulesOverview } from '@/lib/alerts/overview'
import { linksFor } from '@/lib/alerts/message'
import { NewRuleForm } from './new-rule-form'
import { RuleActions } from './rule-actions'

export const dynamic = 'force-dynamic'

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
// `kind=stale_share thresholdPercent=25 …`: wraps where a JSON line would overflow the panel.
const conditionText = (condition: object) =>
  Object.entries(condition)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
const num = (n: number | null) => (n === null ? '—' : Number.isInteger(n) ? String(n) : n.toFixed(2))

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { projects, project } = await projectPage((await searchParams).project)

  return (
    <>
      <SiteHeader projects={projects} current={project} section="alerts" />
      <main>{project ? <ProjectAlerts projectId={project.id} /> : <p className="empty">Create a project on the dashboard first.</p>}</main>
    </>
  )
}

async function ProjectAlerts({ projectId }: { projectId: string }) {
  const [rules, history] = await Promise.all([rulesOverview(projectId), alertHistory(projectId, 100)])
  const firing = rules.filter((r) => r.state.state === 'firing')
  const names = new Map(rules.map((r) => [r.id, r.name]))

  return (
    <>
      <AutoRefresh seconds={30} />
      <section className="panel" data-testid="firing-alerts">
        <h2>Firing now</h2>
        {firing.length === 0 ? (
          <p className="muted">Nothing is firing.</p>
        ) : (
          <ul>
            {firing.map((r) => {
              const links = linksFor('', projectId, r.state.since ?? Date.now(), Date.now())
              return (
                <li key={r.id}>
                  <strong className="error">{r.name}</strong> since {time(r.state.since ?? 0)} · <a href={links.explorer}>explorer</a> ·{' '}
                  <a href={links.dashboard}>dashboard</a>
                </li>
              )
            })}
          </ul>
        )}
      </section>

      <section className="panel">
        <h2>Rules</h2>
        {rules.length === 0 ? (
          <p className="muted">No rules yet.</p>
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <table data-testid="alert-rules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Condition</th>
                  <th>Destinations</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.id} data-rule={r.id}>
                    <td>{r.name}</td>
                    <td>
                      <code style={{ overflowWrap: 'anywhere' }}>{conditionText(r.condition)}</code>
                    </td>
                    <td>{r.destinations.map((d) => `${d.kind} ${new URL(d.url).host}`).join(', ')}</td>
                    <td>{r.state.state}</td>
                    <td>
                      <RuleActions ruleId={r.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <NewRuleForm projectId={projectId} />
      </section>

      <section className="panel">
        <h2>History</h2>
        {history.length === 0 ? (
          <p className="muted">No alert has changed state yet.</p>
        ) : (
          <table data-testid="alert-history">
            <thead>
              <tr>
                <th>When</th>
                <th>Rule</th>
                <th>Transition</th>
                <th className="num">Value</th>
                <th className="num">Threshold</th>
                <th>What</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {history.map((t) => {
                const links = linksFor('', projectId, t.since, t.at)
                return (
                  <tr key={t.id}>
                    <td>{time(t.at)}</td>
                    <td>{names.get(t.ruleId) ?? t.ruleName}</td>
                    <td>{t.kind}</td>
                    <td className="num">{num(t.value)}</td>
                    <td className="num">{num(t.threshold)}</td>
                    <td>{t.summary}</td>
                    <td>
                      <a href={links.explorer}>explorer</a> · <a href={links.dashboard}>dashboard</a>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  )
}
