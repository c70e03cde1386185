import http from 'node:http'
import { createLoadCounter, type LoadCounter } from '../../../sdk/src/server/counter'
import { hash32, mulberry32 } from '../prng'
import { startSimAppServer, type SimAppServer } from './app-server'
import type { BackendBehaviour } from './behaviour'
import { SimTabClient } from './client'

export { misbehaving, pollDelayMs, reconnectDelayMs, WELL_BEHAVED, type BackendBehaviour } from './behaviour'
export type { ServedMinute } from './app-server'

// The simulator's backend: the simulated app server with the real
// middleware, sending its counts to Stalewatch with the project's server
// key, and one client per simulated tab that is open.

export interface SimBackendOptions {
  /** Stalewatch's base URL; counts go to <url>/api/ingest/aggregates. */
  stalewatchUrl: string
  serverKey: string
  seed: number
  /** Where the middleware's once-a-minute warnings go. */
  warn?: (message: string) => void
}

export class SimBackend {
  private readonly clients = new Map<string, SimTabClient>()
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  private tabIndex = 0

  private constructor(
    readonly counter: LoadCounter,
    readonly server: SimAppServer,
    private readonly seed: number,
  ) {}

  static async start(options: SimBackendOptions): Promise<SimBackend> {
    const counter = createLoadCounter({ endpoint: `${options.stalewatchUrl}/api/ingest/aggregates`, serverKey: options.serverKey, warn: options.warn })
    return new SimBackend(counter, await startSimAppServer(counter), options.seed)
  }

  /** A tab is open on `version`: starts its traffic, or updates its visibility. */
  tab(session: string, version: string, hidden: boolean, behaviour: BackendBehaviour): void {
    const open = this.clients.get(session)
    if (open) {
      open.setHidden(hidden)
      return
    }
    const client = new SimTabClient({ appUrl: this.server.url, version, behaviour, hidden, rng: mulberry32(hash32(this.seed, this.tabIndex++, 0xbac)), agent: this.agent })
    this.clients.set(session, client)
    client.start()
  }

  /** The tab closed (or reloaded into another version: open it again with tab()). */
  closeTab(session: string): void {
    this.clients.get(session)?.stop()
    this.clients.delete(session)
  }

  get openTabs(): number {
    return this.clients.size
  }

  /** Stops every tab, sends the last counts and closes the server. */
  async close(): Promise<void> {
    for (const session of [...this.clients.keys()]) this.closeTab(session)
    this.agent.destroy()
    await this.server.close()
    await this.counter.close()
  }
}
