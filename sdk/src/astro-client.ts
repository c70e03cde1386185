// Astro, in the browser: what the integration (astro.ts) injects on every
// page. startAstro() starts the SDK once per page load with what the build
// baked in (automatic reloads, chunk watching, the prompt), and keeps it right
// under view transitions (<ClientRouter />), which swap the page's body
// without a new load:
// - the prompt, shown at the end of <body>, moves into the incoming body;
// - a transition to a page of another build (after a deploy) becomes a full
//   page load of that page: the tab then runs one build, the new one, and
//   reports it, instead of old code under a new page (the new build's own
//   scripts would start a second SDK in the same tab).
// On the server it does nothing.
import { getState } from './index'
import { start } from './start'
import { pageVersion } from './astro-page'

/** The parts of Astro's astro:before-preparation and astro:before-swap events used here. */
interface Transition extends Event {
  newDocument: Document
  loader: () => Promise<void>
}

export const startAstro = (): void => {
  if (!start()) return
  const d = document
  // Once the incoming page is loaded: of another build, it is cancelled, and Astro loads it in full instead.
  d.addEventListener('astro:before-preparation', (event) => {
    const e = event as Transition
    const load = e.loader
    e.loader = async () => {
      await load()
      const incoming = e.newDocument && pageVersion(e.newDocument)
      if (incoming && incoming != getState()?.version) e.preventDefault()
    }
  })
  d.addEventListener('astro:before-swap', (event) => {
    const prompt = d.querySelector('stalewatch-prompt')
    if (prompt) (event as Transition).newDocument.body.append(prompt)
  })
}
