import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app create-next-app makes (default template), with the README's
// steps applied, built twice and served by its own server: see real-app-scenario.ts.
describe('next: the README path in a scaffolded app', () => realAppScenario('next'))
