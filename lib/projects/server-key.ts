import { randomToken } from '../ids'

// A project's server key: the secret its app servers send backend-load
// aggregates with (POST /api/ingest/aggregates, docs/backend-load.md). It can
// do nothing else: no reads, no tab events. Shown once, at creation or
// rotation; only its SHA-256 is stored, like the deploy token's.

export const SERVER_KEY_PREFIX = 'sws_'

export const newServerKey = (): string => randomToken(SERVER_KEY_PREFIX, 32)
