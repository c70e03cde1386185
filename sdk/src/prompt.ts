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
  const show = (s: State) => {
    if (!s.updateAvailable || s.latest == shownFor) return
    shownFor = s.latest
    host?.remove()
    const d = document
    const before = d.activeElement as HTMLElement | null
    const root = (host = d.createElement('stalewatch-prompt')).attachShadow({ mode: 'open' })
    const [box, accept, later] = ['dialog', 'button', 'button'].map((tag) => d.createElement(tag)) as [HTMLDialogElement, HTMLElement, HTMLElement]
    // A non-modal <dialog> (role dialog) whose text is announced politely; the
    // person's focus stays where it is unless options.focus. The browser's own
    // look for a dialog (Canvas colours, border, padding), at the bottom right
    // above everything.
    box.open = true
    box.ariaLive = 'polite'
    box.style.cssText = `position:fixed;z-index:2147483647;inset:auto 1em 1em auto;font:14px system-ui;color-scheme:${o.theme || 'light dark'}`
    accept.textContent = o.reloadLabel || 'Reload'
    later.textContent = o.laterLabel || 'Later'
    box.append(o.text || 'A new version is available.', ' ', accept, ' ', later)
    root.append(box)
    const act = (accepted?: 1) => {
      updatePrompt(accepted ? 'accepted' : 'dismissed')
      // Focus goes back where it was, not to <body>.
      if (root.activeElement) before?.focus()
      host!.remove()
      if (accepted) reload('update_prompt')
    }
    accept.onclick = () => act(1)
    later.onclick = () => act()
    // A handler that returns false cancels the key: Enter and Space must still press the buttons.
    box.onkeydown = (e) => {
      if (e.key == 'Escape') act()
    }
    d.body.append(host)
    if (o.focus) accept.focus()
    updatePrompt('shown')
  }
  const s = getState()
  if (s) show(s)
  const unsubscribe = subscribe(show)
  return () => {
    unsubscribe()
    host?.remove()
  }
}
