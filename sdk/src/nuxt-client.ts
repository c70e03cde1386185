// Nuxt, in the browser: the plugin the module (nuxt.ts) adds, client side
// only. It starts the SDK once per page load with what the build baked in
// (automatic reloads, chunk watching, the prompt) and feeds it Nuxt's own
// signals:
// - app:chunkError (a chunk that failed to load): probed and reported as a
//   skew_error (chunks.ts), then a safe
//   reload (chunk_error) under the automatic reloads' rules. Nuxt's own
//   handling stays: it reloads at the next navigation, to the page asked for;
// - app:manifest:update (Nuxt found a newer build in builds/latest.json, from
//   the app's own server): that build id, which the module made the version,
//   becomes the latest known, so the prompt shows before Stalewatch's answer
//   names the release (as a response's x-app-version does, headers.ts).
// defineNuxtPlugin from '#app', Nuxt's alias for its app inside its build, as
// modules' runtime plugins import it.
import { defineNuxtPlugin } from '#app'
import { chunkFailed } from './chunks'
import { announceVersion } from './headers'
import { start } from './start'

export default defineNuxtPlugin((nuxtApp) => {
  if (!start()) return
  nuxtApp.hook('app:chunkError', ({ error }) => {
    chunkFailed(String((error as Error)?.message || error))
  })
  nuxtApp.hook('app:manifest:update', ({ id }) => announceVersion(id))
})
