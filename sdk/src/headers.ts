// observeResponse: learn the latest version (x-app-version) and a demand to
// reload (x-force-reload: 1) from any response of your app, e.g. in a fetch
// wrapper. Only the app's own servers set these headers, so no one holding
// the public ingest key can forge them. Without registered releases,
// Stalewatch's answers name no latest (docs/semantics.md), and this is how a
// tab learns of a new build. An answer that names a latest (a registered
// release) takes precedence; one that names none does not make the tab
// forget what the app said. Outside the core size budget; the script-tag
// build does not include it.
import type { ResponseLike } from './types'
import { subscribe, update } from './index'

let announced: string | undefined
let kept: unknown

/**
 * The build the app's own servers run now, however the app learned it (a
 * response header, a framework's build manifest): kept through answers that
 * name no latest.
 */
export const announceVersion = (latest: string): void => {
  announced = latest
  // The core takes each ingest answer as it comes; put back what the app said when an answer names no latest.
  kept ||= subscribe((s) => !s.latest && announced && update({ latest: announced }))
  update({ latest })
}

export const observeResponse = (response: ResponseLike): void => {
  const latest = response.headers.get('x-app-version')
  const force = response.headers.get('x-force-reload')
  const belowMinimum = force == '1' || force == 'true'
  if (latest) announceVersion(latest)
  if (belowMinimum) update({ belowMinimum })
}
