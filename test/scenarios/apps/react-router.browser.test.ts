import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app React Router's quick start makes in framework mode
// (test/support/manual-apps.ts: create-react-router fetches its templates from
// the network), every package from the registry, the README's steps applied,
// built twice and served by react-router-serve: see real-app-scenario.ts.
describe('react-router: the README path in an app installed by hand', () => realAppScenario('react-router', { manager: 'npm' }))
