// The form fields the person focused, with the value each had then: the
// automatic reloads' "unsaved work" (reloads.ts). Apart from the rules so that
// the script tag watches from the page's start (iife.ts) while it loads the
// rules only once a reload can matter: fields focused before they arrive
// still count. A WeakMap, read through the fields still on the page: a field
// removed from it is forgotten with it, however long the page lives.
// Short code: watchFields ships in the script-tag build (test/sdk/scripts/build.size.test.ts).
import type { Env } from './types'

/** An element as read here: a field's value and checkedness (undefined on others). */
export type Field = { value: string; checked: boolean }

/** Focused elements with their value when first focused (or when their form was last submitted). */
export type Fields = WeakMap<Field, string>

// Value and checkedness in one: a text field's edit or a checkbox's tick
// changes it. Any focused element is kept (custom controls included); one
// without a value never changes.
const valueOf = (f: Field): string => f.value + f.checked

/** Watch which elements of this document get focus, from now on. */
export const watchFields = (d: Env['document']): Fields => {
  const fields: Fields = new WeakMap()
  d.addEventListener(
    'focusin',
    (e) => {
      const f = e.target as unknown as Field
      if (!fields.has(f)) fields.set(f, valueOf(f))
    },
    true,
  )
  return fields
}

/** A form was submitted: what its focused fields hold now is saved. */
export const submitted = (fields: Fields, form: unknown): void => {
  for (const f of (form as { elements: Field[] }).elements) if (fields.has(f)) fields.set(f, valueOf(f))
}

/** A focused element still on the page holds a value other than the one kept for it. */
export const edited = (d: Env['document'], fields: Fields): boolean | undefined => {
  for (const f of d.querySelectorAll('*') as Iterable<Field>) if (fields.has(f) && valueOf(f) != fields.get(f)) return true
}
