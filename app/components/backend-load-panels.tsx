import { shortVersion } from '@/lib/charts/version-label'
import type { ChartContext } from '@/lib/figures/chart-context'
import type { ChartRequest } from '@/lib/figures/charts'
import { ChartPanel } from './chart-panel'

// The four backend-load views (docs/backend-load.md) for one window: by
// version, or with a release in the request, that release against the
// versions before and after it.

interface Props {
  ctx: ChartContext
  request: ChartRequest
  /** How the window is named in the titles, e.g. "last hour". */
  span?: string
}

export function BackendLoadPanels({ ctx, request, span }: Props) {
  const suffix = span ? `, ${span}` : ''
  const against = request.release ? `${shortVersion(request.release.version)} against older and newer versions` : 'by client version'
  return (
    <>
      <ChartPanel
        ctx={ctx}
        name="backend-requests"
        request={request}
        title={`Requests per second to your servers, ${against}${suffix}`}
        note="Counted by the server middleware at your servers' receive time; socket upgrades are requests too. 'unknown': requests that carried no version Stalewatch knows."
      />
      <ChartPanel ctx={ctx} name="backend-errors" request={request} title={`Server errors (5xx) per second, ${against}${suffix}`} />
      <ChartPanel
        ctx={ctx}
        name="backend-per-tab"
        request={request}
        title={`Requests per live tab per minute, ${against}${suffix}`}
        note="A version's requests in a minute divided by its live tabs at the end of that minute: one build that polls ten times as often stands out. Longer points are requests per tab-minute."
      />
      <ChartPanel ctx={ctx} name="backend-reconnects" request={request} title={`Socket reconnects per minute, ${against}${suffix}`} />
    </>
  )
}

/** Shown instead of the views while the project's servers have sent nothing. */
export function BackendLoadStart() {
  return (
    <section className="panel" aria-label="Backend load by client version">
      <h2>Backend load by client version</h2>
      <p className="empty" data-testid="backend-load-start">
        No counts from your servers in the last 24 hours. Tag your app&apos;s requests and mount the server middleware with the project&apos;s server key
        (docs/backend-load.md) to see requests, errors and reconnects by client version here.
      </p>
    </section>
  )
}
