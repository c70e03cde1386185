import { adminToken, bearerToken } from '../auth/admin-token'
import { config } from '../config'
import { secretsEqual } from '../ids'

// Scrapers send a bearer token: STALEWATCH_METRICS_TOKEN, or the admin token
// when none is set (a scraper then holds admin rights, so set one).
export function metricsToken(): string {
  return config().metricsToken || adminToken()
}

export function isMetricsRequest(authorization: string | null): boolean {
  const token = bearerToken(authorization)
  return token !== null && secretsEqual(token, metricsToken())
}
