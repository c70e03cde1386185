// observeResponse: learn the latest version (x-app-version) and a demand to
// reload (x-force-reload: 1) from any response of your app, e.g. in a fetch
// wrapper. Outside the core size budget; the script-tag build includes it.
import type { ResponseLike } from './types'
import { update } from './index'

export const observeResponse = (response: ResponseLike): void => {
  const latest = response.headers.get('x-app-version')
  const force = response.headers.get('x-force-reload')
  const belowMinimum = force == '1' || force == 'true'
  if (latest || belowMinimum) update({ ...(latest ? { latest } : {}), ...(belowMinimum ? { belowMinimum } : {}) })
}
