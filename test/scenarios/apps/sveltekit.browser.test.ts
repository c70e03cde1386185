import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app sv create makes (minimal template, TypeScript), with the README's
// steps applied, built twice and served by its own server: see real-app-scenario.ts.
describe('sveltekit: the README path in a scaffolded app', () => realAppScenario('sveltekit'))
