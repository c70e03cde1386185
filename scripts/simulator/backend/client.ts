import http from 'node:http'
import type { Socket } from 'node:net'
import { RECONNECT_PARAM, VERSION_HEADER, VERSION_PARAM } from '../../../sdk/src/tag-names'
import type { Rng } from '../prng'
import { pollDelayMs, reconnectDelayMs, type BackendBehaviour } from './behaviour'

// One simulated tab's traffic to the app's own backend, over real sockets:
// it polls the feed with its version in the x-app-version header (as the
// SDK's tagRequests adds it) and holds a socket whose URL carries sw_v, and
// sw_reconnect=1 on every connection after the first (as socketUrls does).
// How often it polls and how it reconnects is its behaviour (./behaviour.ts).

export interface TabClientOptions {
  appUrl: string
  version: string
  behaviour: BackendBehaviour
  hidden: boolean
  rng: Rng
  agent: http.Agent
}

export class SimTabClient {
  private hidden: boolean
  private connected = false
  private connectedOnce = false
  private attempt = 0
  private stopped = false
  private socket: Socket | null = null
  private pollTimer: ReturnType<typeof setTimeout> | null = null
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private readonly host: string
  private readonly port: number

  constructor(private readonly options: TabClientOptions) {
    this.hidden = options.hidden
    const url = new URL(options.appUrl)
    this.host = url.hostname
    this.port = Number(url.port)
  }

  start(): void {
    this.connect()
    this.schedulePoll()
  }

  setHidden(hidden: boolean): void {
    this.hidden = hidden
  }

  stop(): void {
    this.stopped = true
    if (this.pollTimer) clearTimeout(this.pollTimer)
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.socket?.destroy()
  }

  private schedulePoll(): void {
    if (this.stopped) return
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = setTimeout(() => {
      this.request('/api/feed')
      this.schedulePoll()
    }, pollDelayMs(this.options.behaviour, this.hidden, this.connected, this.options.rng))
  }

  private request(path: string): void {
    const req = http.request({ host: this.host, port: this.port, path, agent: this.options.agent, headers: { [VERSION_HEADER]: this.options.version } }, (res) => res.resume())
    req.on('error', () => undefined)
    req.end()
  }

  private connect(): void {
    if (this.stopped) return
    const query = new URLSearchParams({ [VERSION_PARAM]: this.options.version })
    if (this.connectedOnce || this.attempt > 0) query.set(RECONNECT_PARAM, '1')
    const req = http.request({ host: this.host, port: this.port, path: `/live?${query}`, headers: { connection: 'Upgrade', upgrade: 'websocket' } })
    let settled = false
    const failed = () => {
      if (settled) return
      settled = true
      this.retry()
    }
    req.on('upgrade', (_res, socket) => {
      settled = true
      this.socket = socket
      this.connected = true
      const resync = this.connectedOnce
      this.connectedOnce = true
      this.attempt = 0
      socket.on('error', () => socket.destroy())
      socket.on('close', () => {
        this.socket = null
        this.connected = false
        // A poll at the fallback pace, if the build has one, starts now.
        if (this.options.behaviour.fallbackPollMs !== null) this.schedulePoll()
        this.retry()
      })
      if (resync) for (let i = 0; i < this.options.behaviour.resyncRequests; i++) this.request('/api/feed')
    })
    req.on('response', (res) => {
      res.resume()
      failed()
    })
    req.on('error', failed)
    req.end()
  }

  private retry(): void {
    if (this.stopped) return
    const wait = reconnectDelayMs(this.options.behaviour, this.attempt, this.options.rng)
    this.attempt++
    this.reconnectTimer = setTimeout(() => this.connect(), wait)
  }
}
