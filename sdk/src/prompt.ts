// An optional update prompt in plain DOM: "A new version is available" with
// Reload / Later, shown once per new latest version, reporting update_prompt
// shown / accepted / dismissed. Outside the core size budget.
import type { State } from './types'
import { getState, reload, subscribe, updatePrompt } from './index'

/** The little of the DOM the prompt uses (document by default). */
export interface PromptDocument {
  createElement(tag: string): PromptElement
  body: { appendChild(node: PromptElement): unknown }
}
export interface PromptElement {
  textContent: string | null
  style: { cssText: string }
  setAttribute(name: string, value: string): void
  appendChild(node: PromptElement): unknown
  remove(): void
  onclick: ((this: unknown, ev: never) => unknown) | null
}

export interface PromptOptions {
  document?: PromptDocument
  text?: string
  reloadLabel?: string
  laterLabel?: string
}

const BOX =
  'position:fixed;bottom:16px;right:16px;z-index:2147483647;display:flex;gap:8px;align-items:center;' +
  'padding:12px 16px;border-radius:8px;background:#111;color:#fff;font:14px system-ui,sans-serif;box-shadow:0 4px 16px #0004'
const BUTTON = 'border:0;border-radius:6px;padding:6px 10px;font:inherit;cursor:pointer'

/** Show the prompt whenever an update is available; returns a function that removes it. */
export function mountUpdatePrompt(options: PromptOptions = {}): () => void {
  const doc = options.document ?? (document as unknown as PromptDocument)
  let shownFor: string | null = null
  let box: PromptElement | undefined
  const remove = () => {
    box?.remove()
    box = undefined
  }
  const element = (tag: string, text: string, css: string) => {
    const el = doc.createElement(tag)
    el.textContent = text
    el.style.cssText = css
    return el
  }
  const show = (s: State) => {
    if (!s.updateAvailable || s.latest == shownFor) return
    shownFor = s.latest
    remove()
    box = element('div', '', BOX)
    box.setAttribute('role', 'status')
    const accept = element('button', options.reloadLabel ?? 'Reload', BUTTON + ';background:#fff;color:#111')
    const later = element('button', options.laterLabel ?? 'Later', BUTTON + ';background:#333;color:#fff')
    accept.onclick = () => {
      updatePrompt('accepted')
      remove()
      reload('update_prompt')
    }
    later.onclick = () => {
      updatePrompt('dismissed')
      remove()
    }
    box.appendChild(element('span', options.text ?? 'A new version is available', ''))
    box.appendChild(accept)
    box.appendChild(later)
    doc.body.appendChild(box)
    updatePrompt('shown')
  }
  const now = getState()
  if (now) show(now)
  const unsubscribe = subscribe(show)
  return () => {
    unsubscribe()
    remove()
  }
}
