import { randomBytes } from 'node:crypto'
import { startProduct, type Build, type ServerReady } from './builds'
import { startChild, type BenchChild } from './child'
import { logIn } from './dashboard-http'

// One build's node under live tabs, as the live-tabs and viewers sections
// drive it: that build's product server on a fresh data directory, two
// releases already out, a load generator of its own (this checkout's, so
// every build gets the same load) heartbeating `tabs` tabs into it, and
// logged-in dashboard sessions. The rollout during a run is a release the
// tabs move to and a raised minimum, each told to the server (as CI would)
// and to the generator (the tabs' reloads).

export const VERSIONS = ['1.0.0', '1.1.0', '1.2.0']

export interface TabsNode {
  build: Build
  server: BenchChild<ServerReady>
  generator: BenchChild<object>
  adminToken: string
  /** Cookie headers of the logged-in sessions, one per viewer. */
  cookies: string[]
}

export async function startTabsNode(build: Build, tabs: number, options: { sessions: number; env?: Record<string, string> }): Promise<TabsNode> {
  const adminToken = randomBytes(24).toString('hex')
  const server = await startProduct('product', { STALEWATCH_ADMIN_TOKEN: adminToken, ...options.env }, build.root)
  let generator: BenchChild<object> | undefined
  try {
    generator = await startChild<object>('scripts/bench/tab-generator.ts', {})
    const project = server.ready.projectId
    // Two releases already out before the tabs open.
    for (const version of VERSIONS.slice(0, 2)) await server.ask({ type: 'release', projectId: project, version }, 'released')
    await generator.ask({ type: 'start', url: `${server.ready.url}/api/ingest`, key: server.ready.ingestKey, tabs, versions: VERSIONS, shares: [0.3, 0.7] }, 'started')
    const cookies: string[] = []
    for (let i = 0; i < options.sessions; i++) cookies.push(await logIn(server.ready.url, adminToken))
    return { build, server, generator, adminToken, cookies }
  } catch (error) {
    await generator?.stop()
    await server.stop()
    throw error
  }
}

/** The newest version is released; tabs on older ones move to it after an exponential delay of mean `meanDelayMs`. */
export async function releaseNewest(node: TabsNode, meanDelayMs: number): Promise<void> {
  await node.server.ask({ type: 'release', projectId: node.server.ready.projectId, version: VERSIONS[2] }, 'released')
  await node.generator.ask({ type: 'release', version: VERSIONS[2], meanDelayMs }, 'released')
}

/** The minimum is raised to the middle version; tabs below it reload, forced, spread over `waveMs`. */
export async function raiseMinimum(node: TabsNode, waveMs: number): Promise<void> {
  await node.server.ask({ type: 'minimum', projectId: node.server.ready.projectId, version: VERSIONS[1] }, 'minimum-set')
  await node.generator.ask({ type: 'minimum', version: VERSIONS[1], waveMs }, 'minimum-set')
}

export async function stopTabsNode(node: TabsNode): Promise<void> {
  await node.generator.stop()
  await node.server.stop()
}
