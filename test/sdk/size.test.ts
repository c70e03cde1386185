import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import vm from 'node:vm'
import { expect, it } from 'vitest'
import { buildSdk, CORE_BUDGET_BYTES, SCRIPT_TAG_BUDGET_BYTES } from '../../sdk/scripts/build'

it('builds the SDK with the core within 1,536 B and the script-tag build (prompt, chunk watching and automatic reloads included) within 3,100 B min+gzip, both working', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-sdk-'))
  const { files, coreGzipBytes, scriptTagGzipBytes } = await buildSdk({ outDir, publicFile: false, types: false })
  expect(CORE_BUDGET_BYTES).toBe(1536)
  expect(SCRIPT_TAG_BUDGET_BYTES).toBe(3100)
  expect(coreGzipBytes).toBeGreaterThan(500)
  expect(coreGzipBytes).toBeLessThanOrEqual(CORE_BUDGET_BYTES)
  expect(scriptTagGzipBytes).toBeLessThanOrEqual(SCRIPT_TAG_BUDGET_BYTES)
  const names = files.map((f) => path.basename(f.path))
  expect(names).toEqual(
    expect.arrayContaining(['index.mjs', 'react.mjs', 'vue.mjs', 'svelte.mjs', 'next.mjs', 'vite.mjs', 'prompt.mjs', 'cli.mjs', 'bin.mjs', 'stalewatch.js']),
  )
  // The script-tag build carries the prompt and chunk watching.
  const script = readFileSync(path.join(outDir, 'stalewatch.js'), 'utf8')
  expect(script).toContain('stalewatch-prompt')
  expect(script).toContain('unhandledrejection')
  // the core imports nothing; add-ons import only ./index.mjs (and react)
  const core = readFileSync(path.join(outDir, 'index.mjs'), 'utf8')
  expect(core).not.toMatch(/\bimport\b/)
  expect(readFileSync(path.join(outDir, 'react.mjs'), 'utf8').match(/from"[^"]+"/g)).toEqual(
    expect.arrayContaining(['from"react"', 'from"./index.mjs"']),
  )

  // run the script-tag build against a fake window: it auto-inits from data-*
  const sent: { url: string; body: string }[] = []
  const listeners: string[] = []
  const sandbox: Record<string, unknown> = {
    document: {
      currentScript: { src: 'https://sw.example/sdk.js', dataset: { key: 'pk_live', version: 'build-7' } },
      visibilityState: 'visible',
      hasFocus: () => true,
      addEventListener: (t: string) => listeners.push(t),
    },
    location: { origin: 'https://app.example', reload() {} },
    navigator: { sendBeacon: () => true },
    sessionStorage: { getItem: () => null, setItem() {} },
    fetch: async (url: string, init: { body: string }) => {
      sent.push({ url, body: init.body })
      return { ok: true, status: 200, headers: { get: () => null }, json: async () => ({}) }
    },
    setTimeout: (fn: () => void, ms: number) => (ms <= 1000 ? setTimeout(fn, 0) : 0),
    clearTimeout: () => {},
    addEventListener: (t: string) => listeners.push(t),
    Math,
    Date,
    JSON,
    Blob,
    URL,
    Set,
    String,
  }
  sandbox.globalThis = sandbox
  vm.runInNewContext(readFileSync(path.join(outDir, 'stalewatch.js'), 'utf8'), sandbox)
  const api = sandbox.Stalewatch as Record<string, unknown>
  for (const k of ['init', 'reload', 'updatePrompt', 'flush', 'getState', 'subscribe', 'watchChunks', 'mountUpdatePrompt'])
    expect(typeof api[k]).toBe('function')
  await new Promise((r) => setTimeout(r, 20))
  expect(sent).toHaveLength(1)
  expect(sent[0]!.url).toBe('https://sw.example/api/ingest?answer=header')
  expect(JSON.parse(sent[0]!.body)).toMatchObject({ key: 'pk_live', version: 'build-7', events: [{ type: 'load' }] })
  expect(listeners).toEqual(expect.arrayContaining(['visibilitychange', 'pagehide', 'error', 'unhandledrejection']))
}, 60_000)
