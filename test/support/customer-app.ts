import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildSdk } from '../../sdk/scripts/build'

// A customer's web app for browser tests: a loopback origin of its own (so the
// SDK's requests to Stalewatch are cross-origin for real) that serves one page
// for the version currently deployed. Deploying a new version is just serving
// another page from then on, as a real deploy does to tabs that reload.

export interface Asset {
  type: string
  body: string | Uint8Array
  /** More response headers, e.g. the app's own x-app-version. */
  headers?: Record<string, string>
}

export interface CustomerAppOptions {
  /** The version deployed at start. */
  version: string
  /** The HTML of `/` for a version. */
  page: (version: string) => string
  /** Other files by path, e.g. the SDK's ESM build; a function is asked per version. */
  assets?: Record<string, Asset | ((version: string) => Asset)>
}

export interface CustomerApp {
  url: string
  /** The version served from now on. */
  deploy: (version: string) => void
  /** The version of every page served so far, in order. */
  pagesServed: string[]
  close: () => Promise<void>
}

export async function startCustomerApp(options: CustomerAppOptions): Promise<CustomerApp> {
  let version = options.version
  const pagesServed: string[] = []
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://customer').pathname
    // Every response is fresh: a reload must see what is deployed now.
    const send = (status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (pathname === '/') {
      pagesServed.push(version)
      return send(200, 'text/html; charset=utf-8', options.page(version))
    }
    const asset = options.assets?.[pathname]
    if (!asset) return send(404, 'text/plain', 'not found')
    const { type, body, headers } = typeof asset === 'function' ? asset(version) : asset
    send(200, type, body, headers)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    deploy: (next) => void (version = next),
    pagesServed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * The SDK's ESM build (core and add-ons), built now from sdk/src by the same
 * script that ships it, as assets under /sdk/ (index.mjs, prompt.mjs, …).
 */
export async function sdkAssets(): Promise<Record<string, Asset>> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-sdk-'))
  try {
    await buildSdk({ outDir, publicFile: false, types: false })
    const assets: Record<string, Asset> = {}
    for (const name of readdirSync(outDir).filter((f) => f.endsWith('.mjs'))) {
      assets[`/sdk/${name}`] = { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(outDir, name)) }
    }
    return assets
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

/** JSON that is safe inside an inline <script>. */
export const inlineJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c')

export interface EsmPageOptions {
  /** init() options (key, endpoint, heartbeatSeconds, …); the version is the page's. */
  init: Record<string, unknown>
  /** Mount the ready-made update prompt (prompt.mjs). */
  prompt?: boolean
  /**
   * Install automatic reloads (reloads.mjs: watchReloads with the init
   * options), as every adapter and the script tag do. Loaded only if the
   * build has it, so the same page runs against an SDK from before it.
   */
  reloads?: boolean
  /** More HTML for the page's body, e.g. a form. */
  body?: string
}

/**
 * A page that starts the SDK from its ESM build the way docs/sdk.md shows,
 * and keeps the module on window.stalewatch for the test to read its state.
 */
export function esmPage(version: string, options: EsmPageOptions): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Shop ${version}</title></head>
<body style="font:16px system-ui,sans-serif;margin:32px">
<h1>Shop</h1><p>Running build <b id="version">${version}</b>.</p>
${options.body ?? ''}
<script type="module">
import * as stalewatch from '/sdk/index.mjs'
${options.prompt ? "import { mountUpdatePrompt } from '/sdk/prompt.mjs'" : ''}
const options = { ...${inlineJson(options.init)}, version: ${inlineJson(version)} }
stalewatch.init(options)
${options.reloads ? "await import('/sdk/reloads.mjs').then((m) => m.watchReloads(options), () => {})" : ''}
${options.prompt ? 'mountUpdatePrompt()' : ''}
window.stalewatch = stalewatch
</script>
</body></html>`
}
