import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app `ng new` makes (the CLI from the registry ships its schematics:
// offline but for the registry), with server-side rendering, its packages from
// the registry, the README's steps applied, built twice and served by its own
// server (serve:ssr): see real-app-scenario.ts.
describe('angular: the README path in a scaffolded app', () => realAppScenario('angular', { manager: 'npm' }))
