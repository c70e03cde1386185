// The part of Nuxt's app API that nuxt-client.ts uses, declared for this
// repository's type checks only: Nuxt is not among its dependencies (the
// real-app test installs it from the registry, test/scenarios/apps/nuxt.browser.test.ts).
// '#app' is Nuxt's alias for its app code, resolved inside a Nuxt build.
declare module '#app' {
  export interface NuxtApp {
    hook(name: 'app:chunkError', fn: (e: { error: unknown }) => void): unknown
    hook(name: 'app:manifest:update', fn: (meta: { id: string }) => void): unknown
  }
  export interface Plugin {
    (nuxtApp: NuxtApp): unknown
  }
  export function defineNuxtPlugin(plugin: (nuxtApp: NuxtApp) => void): Plugin
}
