// Entry of stalewatch-reloads.js, the script-tag build's second file: the
// automatic reloads' rules (reloads.ts), which stalewatch.js loads from beside
// itself once a reload can matter (iife.ts). It runs on the SDK instance that
// file started: its imports of the core read window.Stalewatch
// (sdk/scripts/build.ts), and it takes over what that file watched and kept.
import { watchReloads } from './reloads'
import type { StalewatchGlobal } from './iife'

watchReloads({}, (globalThis as unknown as { Stalewatch: StalewatchGlobal }).Stalewatch.e)
