// Stalewatch's server middleware: backend load by client version
// (docs/backend-load.md). One counter per process (loadCounter), mounted with
// the adapter of the server it runs in.
export { createLoadCounter, loadCounter, type LoadCounter, type LoadCounterOptions, type LoadCounterStats } from './counter'
export { countExpress, countFastify, countNode, nodeTracker, type NodeCountOptions, type NodeRequest, type NodeResponse } from './node'
export { countUpgrades, trackUpgrade, type UpgradeCountOptions, type UpgradeSocket } from './ws'
export { countFetch, type FetchCountOptions } from './fetch'
export { countProxy, countRoute, type ProxyCountOptions } from './next-counting'
export { OTHER, UNKNOWN, routeGroup, statusClass, versionLabel } from './labels'
export type { AggregateEnvelope, AggregateItem, LoadKind, StatusClass } from './wire'
