import { describe } from 'vitest'
import { realAppScenario } from '../../support/real-app-scenario'

// The app create-vite makes from its vue template, its packages installed by
// pnpm from the registry, the package by the README's pnpm command, built,
// served and released with pnpm: see real-app-scenario.ts.
describe('vite-vue with pnpm: the README path in a scaffolded app', () => realAppScenario('vite-vue', { manager: 'pnpm' }))
