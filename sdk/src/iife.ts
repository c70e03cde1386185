// Entry of the script-tag build (dist/sdk/stalewatch.js, public/sdk.js):
// everything on window.Stalewatch, and auto-init from its own tag:
// <script src="https://stalewatch.example/sdk.js" data-key="…" data-version="…"
//   data-endpoint="…optional…"></script>
// The endpoint defaults to /api/ingest on the origin that served the script.
import { init } from './index'
import { watchChunks } from './chunks'
import { watchReloads } from './reloads'

export * from './index'
export { observeResponse } from './headers'
export { chunkError, watchChunks } from './chunks'
export { watchReloads } from './reloads'

const tag = typeof document == 'object' ? (document.currentScript as HTMLScriptElement | null) : null
const data = tag?.dataset
if (data?.key && data.version) {
  init({ key: data.key, version: data.version, endpoint: data.endpoint || new URL('/api/ingest', tag!.src).href })
  watchReloads()
  watchChunks()
}
