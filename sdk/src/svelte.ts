// Svelte and SvelteKit: stalewatch({ version }) in the root +layout.svelte
// starts the SDK in the browser (SvelteKit's own `version` from
// $app/environment, the key and endpoint baked in by the Vite plugin) and
// shows the update prompt. It returns a store of the state for an app that
// draws its own. During server-side rendering it does nothing. Imports
// nothing from Svelte: the store is Svelte's store contract.
import { getState, subscribe, type State } from './index'
import { start, type StartOptions } from './start'

export type { StartOptions as StalewatchOptions } from './start'
export type { PromptOptions } from './prompt'

/** A Svelte readable store. */
export interface StateStore {
  subscribe(run: (value: State | undefined) => void): () => void
}

const store: StateStore = {
  subscribe(run) {
    run(getState())
    return subscribe(run)
  },
}

/** Start once per page load (later calls only return the store). */
export const stalewatch = (options: StartOptions = {}): StateStore => {
  start(options)
  return store
}
