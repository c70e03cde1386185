// The line each page of an Astro build carries in its <head> (astro.ts writes
// it, astro-client.ts reads it from a page a view transition brings): the
// version of the build that made the page.
const NAME = '__stalewatchPage'

/** The inline script's code for a page of this version. */
export const pageVersionLine = (version: string): string => `globalThis.${NAME}=${JSON.stringify(version)}`

/** The version a page names, from its inline scripts; undefined for a page without the line. */
export const pageVersion = (d: Document): string | undefined => {
  for (const s of d.querySelectorAll('script:not([src])')) {
    const m = new RegExp(`${NAME}=("[^"]*")`).exec(s.textContent || '')
    if (m) return JSON.parse(m[1]!) as string
  }
}
