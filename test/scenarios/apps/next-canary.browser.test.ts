import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app create-next-app makes, moved to a Next.js canary (pinned: the
// registry keeps every canary), installing everything from the registry and
// the package by plain `npm install <tarball>`: see real-app-scenario.ts.
describe('next canary: the README path in a scaffolded app', () => realAppScenario('next', { manager: 'npm', next: '16.5.0-canary.38' }))
