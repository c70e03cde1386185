import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app Astro's manual installation makes (test/support/manual-apps.ts:
// create-astro fetches its templates from the network), with view transitions
// on, every package from the registry, the README's step applied, built twice
// and served by `astro preview`: see real-app-scenario.ts.
describe('astro: the README path in an app installed by hand', () => realAppScenario('astro', { manager: 'npm' }))
