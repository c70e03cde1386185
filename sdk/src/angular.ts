// Angular (standalone apps): provideStalewatch() in app.config.ts's providers
// starts the SDK in the browser once the app initialises, with what
// `stalewatch ng build` baked in (angular-build.ts), and shows the prompt.
// It feeds the SDK Angular's own signals:
// - a lazy route whose chunk failed to load (the router's NavigationError):
//   probed and reported as a skew_error, then a safe reload (chunk_error) under the automatic reloads'
//   rules;
// - beside @angular/service-worker, the worker's messages to the page (what
//   SwUpdate reads, taken here from navigator.serviceWorker so that apps
//   without the worker import nothing more): VERSION_READY, a newer build
//   downloaded, is announced as the latest known (the prompt shows, as for a
//   response's x-app-version, headers.ts); UNRECOVERABLE_STATE, this version's
//   files gone from the worker's cache, is reported and reloads safely, as a
//   chunk error does.
// During server-side rendering (@angular/ssr) it does nothing.
import { inject, makeEnvironmentProviders, PLATFORM_ID, provideAppInitializer, type EnvironmentProviders } from '@angular/core'
import { isPlatformBrowser } from '@angular/common'
import { NavigationError, Router } from '@angular/router'
import { announceVersion } from './headers'
import { chunkError, chunkFailed } from './chunks'
import { start, type StartOptions } from './start'

export type { StartOptions as StalewatchOptions } from './start'
export type { PromptOptions } from './prompt'

/** What the service worker posts to its pages (Angular's ngsw-worker.js), as far as used here. */
type WorkerMessage = { type?: string; latestVersion?: { hash?: string }; reason?: string }


/** `providers: [provideStalewatch()]` in app.config.ts. */
export function provideStalewatch(options: StartOptions = {}): EnvironmentProviders {
  return makeEnvironmentProviders([
    provideAppInitializer(() => {
      if (!isPlatformBrowser(inject(PLATFORM_ID)) || !start(options)) return
      // The router catches a failed lazy import itself: no window event is left for chunks.ts to see.
      inject(Router, { optional: true })?.events.subscribe((e) => {
        const message = e instanceof NavigationError ? chunkError({ reason: e.error } as unknown as Event, location.origin) : undefined
        if (message) chunkFailed(message)
      })
      navigator.serviceWorker?.addEventListener('message', ({ data }: MessageEvent<WorkerMessage>) => {
        if (data?.type == 'VERSION_READY' && data.latestVersion?.hash) announceVersion(data.latestVersion.hash)
        if (data?.type == 'UNRECOVERABLE_STATE') chunkFailed(`service worker: ${data.reason}`)
      })
    }),
  ])
}
