// The update prompt in plain DOM, used by every framework adapter and the
// script-tag build: "A new version is available" with Reload / Later, shown
// once per new latest version, reporting update_prompt shown / accepted /
// dismissed. It lives in a shadow root on an element of its own at the end of
// <body>, fixed at the bottom right on the top stacking order, so the app's CSS
// can neither hide nor restyle it. Light or dark with the system (Canvas
// colours), keyboard-usable (native buttons, Escape = Later), announced politely
// without taking focus from what the person is doing. Outside the core budget,
// inside the script-tag one: kept short.
import type { State } from './types'
import { getState, reload, subscribe, updatePrompt } from './index'

export interface PromptOptions {
  /** Default "A new version is available." */
  text?: string
  /** Default "Reload". */
  reloadLabel?: string
  /** Default "Later". */
  laterLabel?: string
  /** Default: the system's (light or dark). */
  theme?: 'light' | 'dark'
  /** Move focus to Reload when the prompt appears. Default false: the person may be typing. */
  focus?: boolean
}

/** Show the prompt whenever an update is available; returns a function that removes it. */
export const mountUpdatePrompt = (o: PromptOptions = {}): (() => void) => {
  let shownFor: string | null | undefined
  let host: HTMLElement | undefined
  const show = (s?: State) => {
    if (!s?.updateAvailable || s.latest == shownFor) return
    shownFor = s.latest
    host?.remove()
    const d = document
    const before = d.activeElement as HTMLElement | null
    const root = (host = d.createElement('stalewatch-prompt')).attachShadow({ mode: 'open' })
    const act = (accepted?: 1) => {
      updatePrompt(accepted ? 'accepted' : 'dismissed')
      // Focus goes back where it was, not to <body>.
      if (root.activeElement) before?.focus()
      host!.remove()
      if (accepted) reload('update_prompt')
    }
    const button = (text: string, accepted?: 1) => Object.assign(d.createElement('button'), { textContent: text, onclick: () => act(accepted) })
    const accept = button(o.reloadLabel || 'Reload', 1)
    // A non-modal <dialog> (role dialog) whose text is announced politely; the
    // person's focus stays where it is unless options.focus. The browser's own
    // look for a dialog (Canvas colours, border, padding), at the bottom right
    // above everything.
    const box = Object.assign(d.createElement('dialog'), {
      open: true,
      ariaLive: 'polite',
      // Assigning a string to style sets its cssText.
      style: `position:fixed;z-index:2147483647;inset:auto 1em 1em auto;font:14px system-ui;color-scheme:${o.theme || 'light dark'}`,
      // A handler that returns false cancels the key: Enter and Space must still press the buttons.
      onkeydown: (e: KeyboardEvent) => {
        if (e.key == 'Escape') act()
      },
    })
    box.append(o.text || 'A new version is available.', ' ', accept, ' ', button(o.laterLabel || 'Later'))
    root.append(box)
    d.body.append(host)
    if (o.focus) accept.focus()
    updatePrompt('shown')
  }
  show(getState())
  const unsubscribe = subscribe(show)
  return () => {
    unsubscribe()
    host?.remove()
  }
}
