// React Router (framework mode, v7): <Stalewatch /> in app/root.tsx starts the
// SDK once per page load with what the Vite plugin (stalewatch/vite) baked in,
// shows the prompt, and keeps a tab on an old build from importing route
// modules that the new build's server no longer has.
//
// React Router imports a route's module on the first client navigation to it;
// after a deploy that file is gone, the import fails, and React Router
// reloads the page at once (its loadRouteModule), on the page the person was
// leaving, whatever they had typed. No rule can run in between. So once the
// tab knows a newer release is out (updateAvailable, from registered releases
// only), a click on a link to another page of the app is left to the browser:
// a full page load of that page, on the new build, instead of a client
// navigation that would import an old module. Forms keep their client
// submission (turning one into a page load could lose what it sends).
// During server-side rendering it does nothing. Imports nothing from React
// Router: the click is caught before React sees it.
import { useEffect } from 'react'
import { getState } from './index'
import { start } from './start'
import type { StalewatchProps } from './react'

export type { StalewatchProps } from './react'
export { useStalewatch } from './react'

/** Whether a click on this element is a plain same-origin link navigation the browser would do by itself. */
const plainLink = (e: MouseEvent): HTMLAnchorElement | undefined => {
  if (e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null
  if (!a || (a.target && a.target != '_self') || a.hasAttribute('download') || a.origin != location.origin) return
  // Only the hash changes: no route module to import.
  if (a.pathname == location.pathname && a.search == location.search && a.hash) return
  return a
}

let guarded = false

/** Render once in app/root.tsx's <body>. With no props it uses what the Vite plugin baked in. */
export function Stalewatch({ ingestKey, ...props }: StalewatchProps): null {
  useEffect(() => {
    start({ ...props, key: ingestKey })
    if (guarded) return
    guarded = true
    // Capture on window: before React's own listener on the document, which would start a client navigation.
    addEventListener(
      'click',
      (e) => {
        if (getState()?.updateAvailable && plainLink(e)) e.stopPropagation()
      },
      true,
    )
    // Options are read once: the SDK starts once per page load.
  }, [])
  return null
}
