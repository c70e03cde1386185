import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app Nuxt's docs make by hand (test/support/manual-apps.ts: create nuxt
// fetches its templates from the network), every package from the registry,
// the README's step applied, built twice and served by `nuxt preview`: see
// real-app-scenario.ts.
describe('nuxt: the README path in an app installed by hand', () => realAppScenario('nuxt', { manager: 'npm' }))
