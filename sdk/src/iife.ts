// Entry of the script-tag build (dist/stalewatch.js, served by Stalewatch as
// /sdk.js): the API on window.Stalewatch, and auto-init from its own tag:
// <script src="https://stalewatch.example/sdk.js" data-key="…" data-version="…"
//   data-endpoint="…optional…" data-prompt="false (optional)"></script>
// The endpoint defaults to /api/ingest on the origin that served the script.
// Automatic reloads (reloads.ts) are installed: the core alone never reloads.
// Budget: 3,100 B min+gzip with automatic reloads, the prompt and chunk watching (test/sdk/size.test.ts).
import * as core from './index'
import { watchChunks } from './chunks'
import { mountUpdatePrompt } from './prompt'
import { watchReloads } from './reloads'

/** window.Stalewatch: the core's API (live: it follows init), automatic reloads, chunk watching and the prompt. */
export type StalewatchGlobal = typeof core & {
  watchReloads: typeof watchReloads
  watchChunks: typeof watchChunks
  mountUpdatePrompt: typeof mountUpdatePrompt
}

// The core's namespace as prototype: its getters follow the instance init()
// starts, and no module-interop helper is bundled.
;(globalThis as { Stalewatch?: StalewatchGlobal }).Stalewatch = { __proto__: core, watchReloads, watchChunks, mountUpdatePrompt } as unknown as StalewatchGlobal

// A script: it runs in a browser, where the tag that loaded it is currentScript.
const tag = document.currentScript as HTMLScriptElement | null
const data = tag?.dataset
if (data?.key && data.version) {
  core.init({ key: data.key, version: data.version, endpoint: data.endpoint || new URL('/api/ingest', tag!.src).href })
  watchReloads()
  watchChunks()
  if (data.prompt != 'false') mountUpdatePrompt()
}
