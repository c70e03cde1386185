import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app create-vite makes from its vue template, with the README's
// steps applied, built twice and served by its own server: see real-app-scenario.ts.
describe('vite-vue: the README path in a scaffolded app', () => realAppScenario('vite-vue'))
