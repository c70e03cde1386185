// Vue 3: app.use(stalewatch()) starts the SDK in the browser with the values
// the Vite plugin baked in and shows the update prompt; useStalewatch() is the
// state as a read-only ref, for an app that draws its own prompt. Does nothing
// during server-side rendering. The only file that imports Vue.
import { onScopeDispose, readonly, shallowRef, type Plugin, type Ref } from 'vue'
import { getState, subscribe, type State } from './index'
import { start, type StartOptions } from './start'

export type { StartOptions as StalewatchOptions } from './start'
export type { PromptOptions } from './prompt'

/** The Vue plugin: `createApp(App).use(stalewatch()).mount('#app')`. */
export const stalewatch = (options: StartOptions = {}): Plugin => ({
  install() {
    start(options)
  },
})

/** The SDK's state (undefined before it starts), updated on every change. */
export function useStalewatch(): Readonly<Ref<State | undefined>> {
  const state = shallowRef<State | undefined>(getState())
  onScopeDispose(subscribe((s) => (state.value = s)))
  return readonly(state) as Readonly<Ref<State | undefined>>
}
