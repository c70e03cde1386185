import { z } from 'zod'
import { isIP } from 'node:net'
import path from 'node:path'
import { formatIssues } from './validation'

// Every setting Stalewatch reads from the environment: one entry each, read
// and validated here, once. `npm start -- --help`, the README's
// configuration table and docs/security.md's settings list are generated from
// these entries (lib/config-docs.ts; test/docs/settings.test.ts holds them
// equal). A new setting is one more entry. Read lazily (not at import) so
// `next build` never needs a configured machine.

type Env = Readonly<Record<string, string | undefined>>
export type SettingDoc = 'readme' | 'security'

interface SettingDef<S extends z.ZodType> {
  /** The variable. */
  env: string
  /** Checks the text (or the default) and turns it into the value. */
  schema: S
  /** The text used when the variable is unset or empty; may depend on other variables. */
  default?: string | ((env: Env) => string | undefined)
  /** How the docs show the default, when `default` is not a plain text or there is none. */
  shownDefault?: string
  /** What it does, for people: one line. */
  help: string
  /** Where it is listed besides --help. */
  docs: readonly SettingDoc[]
}

const setting = <S extends z.ZodType>(def: SettingDef<S>) => def

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier')
const flag = z.enum(['0', '1'], { error: 'must be 0 or 1' }).transform((v) => v === '1')
const int = (min: number, max: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)
const rate = z.coerce.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1_000_000, 'must be at most 1000000')
const burst = z.coerce.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(10_000_000, 'must be at most 10000000')
const directory = z.string().min(1).transform((p) => path.resolve(/*turbopackIgnore: true*/ p))

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function isNetwork(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/')
  const family = isIP(address ?? '')
  if (rest.length > 0 || family === 0) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128)
}

/**
 * When a 2xx is given (docs/scaling.md, "Acknowledgement"):
 * - logged: once the events are in the ingest log on local disk (written and
 *   fdatasync'd); they reach ClickHouse from there within about a second and
 *   survive a crash (replayed at start). Acknowledgement no longer waits for
 *   an insert, so inserts can be large and rare while answers stay fast.
 * - stored: once ClickHouse has stored them. For ingest nodes without a disk
 *   of their own in front of a ClickHouse server or cluster.
 */
export type IngestAck = 'logged' | 'stored'
const ingestAckOf = (env: Env): IngestAck => (env.STALEWATCH_INGEST_ACK === 'stored' || (!env.STALEWATCH_INGEST_ACK && env.CLICKHOUSE_URL) ? 'stored' : 'logged')

// Flush defaults per acknowledgement mode, measured with `npm run bench`
// (docs/scaling.md): the log can batch for a second at no cost to latency;
// a stored acknowledgement waits for the flush, so it must flush sooner.
const FLUSH_DEFAULTS: Record<IngestAck, { maxRows: number; maxWaitMs: number; bufferRows: number }> = {
  logged: { maxRows: 50_000, maxWaitMs: 1000, bufferRows: 5_000_000 },
  stored: { maxRows: 10_000, maxWaitMs: 200, bufferRows: 50_000 },
}
const flushDefault = (key: keyof (typeof FLUSH_DEFAULTS)['logged']) => (env: Env) => String(FLUSH_DEFAULTS[ingestAckOf(env)][key])
const twice = (variable: string, fallback: number, factor: number) => (env: Env) => String(Math.max(1, Number(env[variable] || fallback) * factor))

export const SETTINGS = {
  port: setting({ env: 'PORT', schema: int(0, 65535), default: '3000', help: 'listening port', docs: ['readme'] }),
  dataDir: setting({ env: 'STALEWATCH_DATA_DIR', schema: directory, default: './data', help: "embedded engine's data, the generated admin token", docs: ['readme'] }),
  adminToken: setting({
    env: 'STALEWATCH_ADMIN_TOKEN',
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    shownDefault: 'generated',
    help: 'admin API and dashboard login (else generated into `<data dir>/admin-token`)',
    docs: ['readme', 'security'],
  }),
  adminPassword: setting({ env: 'STALEWATCH_ADMIN_PASSWORD', schema: z.string().optional(), help: 'dashboard password (or `npm run set-password`)', docs: ['readme', 'security'] }),
  metricsToken: setting({ env: 'STALEWATCH_METRICS_TOKEN', schema: z.string().optional(), shownDefault: 'admin token', help: 'bearer token for `/api/metrics`', docs: ['readme', 'security'] }),
  publicUrl: setting({
    env: 'STALEWATCH_PUBLIC_URL',
    schema: z.string().url('must be an absolute URL such as https://stalewatch.example.com').optional(),
    help: 'makes links in alert notifications absolute',
    docs: ['readme'],
  }),
  backgroundJobs: setting({
    env: 'STALEWATCH_BACKGROUND_JOBS',
    schema: flag,
    default: '1',
    help: 'set 0 on all but one node of a multi-node deployment (rollups, alert evaluation)',
    docs: ['readme'],
  }),
  clickhouseUrl: setting({ env: 'CLICKHOUSE_URL', schema: z.string().url('must be a URL such as http://clickhouse:8123').optional(), help: 'use a ClickHouse server instead of the embedded engine', docs: ['readme'] }),
  clickhouseUser: setting({ env: 'CLICKHOUSE_USER', schema: z.string().optional(), help: "the ClickHouse server's user", docs: ['readme'] }),
  clickhousePassword: setting({ env: 'CLICKHOUSE_PASSWORD', schema: z.string().optional(), help: "the ClickHouse server's password", docs: ['readme'] }),
  database: setting({ env: 'CLICKHOUSE_DATABASE', schema: identifier, default: 'stalewatch', help: 'database name', docs: ['readme'] }),
  cluster: setting({ env: 'CLICKHOUSE_CLUSTER', schema: identifier.optional(), help: 'create replicated + Distributed tables `ON CLUSTER`', docs: ['readme'] }),
  retentionDays: setting({ env: 'STALEWATCH_RETENTION_DAYS', schema: int(1, 3650), default: '30', help: 'raw events TTL, in days; older events are refused', docs: ['readme', 'security'] }),
  eventMaxAgeHours: setting({
    env: 'STALEWATCH_EVENT_MAX_AGE_HOURS',
    schema: int(1, 24 * 3650),
    default: '24',
    help: 'how far before its receipt an event may claim to have happened; older ones are refused per event (`event_too_old`), and never beyond the retention',
    docs: ['readme', 'security'],
  }),
  eventMaxFutureSeconds: setting({
    env: 'STALEWATCH_EVENT_MAX_FUTURE_SECONDS',
    schema: int(0, 86_400),
    default: '300',
    help: 'how far after its receipt an event may claim to have happened (clock skew); later ones are refused per event (`event_in_future`)',
    docs: ['readme', 'security'],
  }),
  ingestAck: setting({
    env: 'STALEWATCH_INGEST_ACK',
    schema: z.enum(['logged', 'stored'], { error: 'must be logged or stored' }),
    default: ingestAckOf,
    shownDefault: '`logged` (embedded), `stored` (with `CLICKHOUSE_URL`)',
    help: 'when `/api/ingest` answers 200 (or 204): once the events are in the ingest log on local disk, or once ClickHouse stored them ([docs/scaling.md](docs/scaling.md#acknowledgement-the-ingest-log))',
    docs: ['readme'],
  }),
  ingestLogDir: setting({
    env: 'STALEWATCH_INGEST_LOG_DIR',
    schema: directory,
    default: (env) => path.join(env.STALEWATCH_DATA_DIR || './data', 'ingest-log'),
    shownDefault: '`<data dir>/ingest-log`',
    help: "the ingest log's segments; keep it on a persistent disk",
    docs: ['readme'],
  }),
  ingestLogFsync: setting({
    env: 'STALEWATCH_INGEST_LOG_FSYNC',
    schema: flag,
    default: '1',
    help: 'fdatasync each log write (0: survive a process crash but not power loss)',
    docs: ['readme', 'security'],
  }),
  figureTickMs: setting({
    env: 'STALEWATCH_FIGURE_TICK_MS',
    schema: int(1_000, 60_000),
    default: '5000',
    help: "how often a dashboard page's figures are computed per project: every viewer within one tick shares one computation, and a figure of the window still filling is at most this old ([docs/scaling.md](docs/scaling.md#many-viewers-one-computation))",
    docs: ['readme'],
  }),
  exactLiveSessions: setting({
    env: 'STALEWATCH_EXACT_LIVE_SESSIONS',
    // docs/semantics.md, Accuracy: exact up to 10,000 live sessions at least, and an
    // approximate total within 1 % (95 % confidence) needs a sample of about 38,000 sessions.
    schema: int(40_000, 100_000_000),
    default: '200000',
    help: "live sessions per project up to which the overview's figures for now are exact; above, they come from a sample of about this many sessions and say so ([docs/scaling.md](docs/scaling.md))",
    docs: ['readme'],
  }),
  liveIndexCoverageSeconds: setting({
    env: 'STALEWATCH_LIVE_INDEX_COVERAGE_SECONDS',
    schema: int(0, 3600),
    // The charts' minutes after the rollup's edge start at most about 80 s back (a minute closes 60 s
    // after it ends and the rollup runs every 20 s), so 120 s covers them with a delayed run to spare.
    default: '120',
    help: "embedded engine: how far back the live sessions kept in memory answer the figures for now and the charts' minutes not yet rolled up (an instant older, or 0, reads the events table) ([docs/scaling.md](docs/scaling.md#live-now-figures-kept-in-memory))",
    docs: ['readme'],
  }),
  ingestLogFileInsert: setting({
    env: 'STALEWATCH_INGEST_LOG_FILE_INSERT',
    schema: flag,
    default: '1',
    help: "embedded engine: store each log segment by reading its file (about 3× less engine CPU per row); 0: send the segment's bytes",
    docs: ['readme'],
  }),
  flushMaxRows: setting({ env: 'STALEWATCH_FLUSH_MAX_ROWS', schema: int(1, 1_000_000), default: flushDefault('maxRows'), shownDefault: 'per mode, see [docs/scaling.md](docs/scaling.md)', help: 'rows per insert', docs: ['readme'] }),
  flushMaxWaitMs: setting({
    env: 'STALEWATCH_FLUSH_MAX_WAIT_MS',
    schema: int(0, 60_000),
    default: flushDefault('maxWaitMs'),
    shownDefault: 'per mode, see [docs/scaling.md](docs/scaling.md)',
    help: 'wait before an insert, ms',
    docs: ['readme'],
  }),
  bufferMaxRows: setting({
    env: 'STALEWATCH_BUFFER_MAX_ROWS',
    schema: int(100, 100_000_000),
    default: flushDefault('bufferRows'),
    shownDefault: 'per mode, see [docs/scaling.md](docs/scaling.md)',
    help: 'bound on rows not yet stored: past it, 503 `overloaded`',
    docs: ['readme', 'security'],
  }),
  bufferMaxBytes: setting({
    env: 'STALEWATCH_BUFFER_MAX_BYTES',
    schema: int(1_000_000, Number.MAX_SAFE_INTEGER),
    // The ingest log's bound on disk; 5M heartbeats take about 1.5 GB.
    default: String(2 * 1024 ** 3),
    shownDefault: '2147483648 (2 GiB)',
    help: "bound on the ingest log's bytes not yet stored (logged mode): past it, 503 `overloaded`",
    docs: ['readme', 'security'],
  }),
  minFreeDiskBytes: setting({
    env: 'STALEWATCH_MIN_FREE_DISK_BYTES',
    schema: int(0, Number.MAX_SAFE_INTEGER),
    // Room left for the engine to store the backlog and merge parts.
    default: String(512 * 1024 ** 2),
    shownDefault: '536870912 (512 MiB)',
    help: "below this much free space on the ingest log's (or embedded engine's) disk, ingest answers 503 `disk_low`; 0 turns the watch off ([docs/scaling.md](docs/scaling.md#a-full-or-damaged-disk))",
    docs: ['readme', 'security'],
  }),
  // Reload waves (docs/rollout.md): a project's defaults until it sets its
  // own, the ingest nodes that share the rate, and the guard's error window.
  reloadsPerMinute: setting({
    env: 'STALEWATCH_RELOADS_PER_MINUTE',
    schema: int(0, 1_000_000),
    default: '600',
    help: "a project's forced reloads per minute until it sets its own ([docs/rollout.md](docs/rollout.md)); 0 holds every forced reload",
    docs: ['readme', 'security'],
  }),
  waveLeadSeconds: setting({
    env: 'STALEWATCH_WAVE_LEAD_SECONDS',
    schema: int(0, 3600),
    default: '60',
    help: "the lead before a wave's first forced reload, until the project sets its own (also the window in which lowering the minimum reloads nobody)",
    docs: ['readme', 'security'],
  }),
  rolloutNodes: setting({ env: 'STALEWATCH_ROLLOUT_NODES', schema: int(1, 1000), default: '1', help: 'ingest nodes answering one project: each paces its share of the reload rate', docs: ['readme', 'security'] }),
  waveAddressSeconds: setting({
    env: 'STALEWATCH_WAVE_ADDRESS_SECONDS',
    schema: int(1, 3600),
    default: '30',
    help: "the reload wave's slots one client address (an IPv6 /64) may hold ahead at once, in seconds of the wave's pace: the most its tabs can delay anyone else's slot",
    docs: ['readme', 'security'],
  }),
  guardWindowSeconds: setting({ env: 'STALEWATCH_GUARD_WINDOW_SECONDS', schema: int(5, 3600), default: '60', help: "the window over which the reload wave's guard counts ingest 5xx", docs: ['readme', 'security'] }),
  // Stalewatch's own gaps (lib/self-gaps/, docs/timeline.md): how often each
  // server process says it is alive, and the log's fill it counts as a backlog.
  heartbeatSeconds: setting({
    env: 'STALEWATCH_HEARTBEAT_SECONDS',
    schema: int(1, 300),
    default: '10',
    help: 'how often each server process records that it is up and what it saw (503s, backlog, disk, storage); heartbeats more than 3 of these apart are down time on the timeline and charts',
    docs: ['readme'],
  }),
  backlogGapPercent: setting({
    env: 'STALEWATCH_BACKLOG_GAP_PERCENT',
    schema: int(1, 100),
    default: '50',
    help: "the ingest log's fill (percent of its row or byte bound) from which a tick is recorded as a backlog gap: figures there arrive late",
    docs: ['readme'],
  }),
  shedLoopDelayMs: setting({
    env: 'STALEWATCH_SHED_LOOP_DELAY_MS',
    schema: int(0, 60_000),
    default: '50',
    help: "answer ingest 503 + `Retry-After` while the event loop's median delay exceeds this (ms); 0 turns it off",
    docs: ['readme', 'security'],
  }),
  ratePerKey: setting({ env: 'STALEWATCH_RATE_PER_KEY', schema: rate, default: '5000', help: 'requests per second per ingest key (0 = off)', docs: ['security'] }),
  burstPerKey: setting({ env: 'STALEWATCH_BURST_PER_KEY', schema: burst, default: twice('STALEWATCH_RATE_PER_KEY', 5000, 2), shownDefault: 'twice the rate', help: 'burst per ingest key', docs: ['security'] }),
  ratePerAddress: setting({ env: 'STALEWATCH_RATE_PER_IP', schema: rate, default: '50', help: 'requests per second per client address (0 = off)', docs: ['security'] }),
  burstPerAddress: setting({ env: 'STALEWATCH_BURST_PER_IP', schema: burst, default: twice('STALEWATCH_RATE_PER_IP', 50, 4), shownDefault: 'four times the rate', help: 'burst per client address', docs: ['security'] }),
  limitLoopback: setting({ env: 'STALEWATCH_RATE_LIMIT_LOOPBACK', schema: flag, default: '0', help: 'apply the per-address limits (ingest and everything else) to loopback peers too', docs: ['security'] }),
  // Everything that is not ingest (pages, API, assets) goes through Next.js,
  // which costs milliseconds a request: one address flooding any of it would
  // starve ingest on the same cores, so the front door refuses the excess first.
  httpRatePerAddress: setting({
    env: 'STALEWATCH_HTTP_RATE_PER_IP',
    schema: rate,
    default: '60',
    help: 'requests per second per client address to everything but ingest (pages, API, assets); past it 429 + `Retry-After` before Next.js does any work (0 = off)',
    docs: ['security'],
  }),
  httpBurstPerAddress: setting({ env: 'STALEWATCH_HTTP_BURST_PER_IP', schema: burst, default: twice('STALEWATCH_HTTP_RATE_PER_IP', 60, 4), shownDefault: 'four times the rate', help: 'burst per client address to everything but ingest (a page view loads its scripts and styles)', docs: ['security'] }),
  // Connections (ingest/edge/connection-guard.ts): each holds a file descriptor
  // whether or not it sends anything, and nobody needs a key to open one.
  headersTimeoutMs: setting({
    env: 'STALEWATCH_HEADERS_TIMEOUT_MS',
    schema: int(500, 600_000),
    default: '5000',
    help: 'a connection that has not sent a whole request head this long after it opened (or its last answer) is closed: one that sends nothing, or its headers slowly',
    docs: ['readme', 'security'],
  }),
  requestTimeoutMs: setting({
    env: 'STALEWATCH_REQUEST_TIMEOUT_MS',
    schema: int(1000, 3_600_000),
    default: '30000',
    help: 'a request whose body has not arrived whole this long after it began is answered 408 and its connection closed',
    docs: ['readme', 'security'],
  }),
  keepAliveTimeoutMs: setting({
    env: 'STALEWATCH_KEEP_ALIVE_TIMEOUT_MS',
    schema: int(1000, 600_000),
    default: '5000',
    help: "an idle keep-alive connection is closed after this long (behind a load balancer, set it above the balancer's idle timeout)",
    docs: ['readme', 'security'],
  }),
  maxConnectionsPerAddress: setting({
    env: 'STALEWATCH_MAX_CONNECTIONS_PER_IP',
    schema: int(1, 10_000_000),
    default: '256',
    help: "open connections per client address (the socket's peer; loopback exempt unless `STALEWATCH_RATE_LIMIT_LOOPBACK=1`, off with `STALEWATCH_TRUST_PROXY=1`); past it new ones are closed at once",
    docs: ['readme', 'security'],
  }),
  maxConnections: setting({
    env: 'STALEWATCH_MAX_CONNECTIONS',
    schema: int(1, 10_000_000).optional(),
    shownDefault: 'the descriptor limit less a quarter (at least 512)',
    help: 'open connections in all; past it new ones are closed at once. The default keeps descriptors for the engine and the ingest log',
    docs: ['readme', 'security'],
  }),
  trustProxy: setting({
    env: 'STALEWATCH_TRUST_PROXY',
    schema: flag,
    default: '0',
    help: '1: the client address is the left-most `X-Forwarded-For` entry (only behind a proxy that overwrites it)',
    docs: ['readme', 'security'],
  }),
  newVersionsPerMinute: setting({
    env: 'STALEWATCH_NEW_VERSIONS_PER_MINUTE',
    schema: z.coerce.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1_000_000, 'must be at most 1000000'),
    default: '10',
    help: 'new unregistered versions a project may start sending per minute; past it 429 + `Retry-After` (registered releases always pass; 0 = off)',
    docs: ['readme', 'security'],
  }),
  newVersionsBurst: setting({ env: 'STALEWATCH_NEW_VERSIONS_BURST', schema: int(1, 1_000_000), default: '50', help: 'burst of new unregistered versions per project', docs: ['readme', 'security'] }),
  versionForgetHours: setting({
    env: 'STALEWATCH_VERSION_FORGET_HOURS',
    schema: z.coerce.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(24 * 365, 'must be at most 8760'),
    default: '24',
    help: 'a version seen under an hour and not since this long stops counting against `STALEWATCH_MAX_VERSIONS_PER_PROJECT`',
    docs: ['readme', 'security'],
  }),
  loginPerAddressPerMinute: setting({ env: 'STALEWATCH_LOGIN_PER_IP_PER_MINUTE', schema: int(1, 10_000), default: '5', help: 'login attempts per client address per minute; past it 429 + `Retry-After`', docs: ['readme', 'security'] }),
  loginPerMinute: setting({ env: 'STALEWATCH_LOGIN_PER_MINUTE', schema: int(1, 100_000), default: '30', help: 'login attempts per minute in total; past it 429 + `Retry-After`', docs: ['readme', 'security'] }),
  webhookAllowedNetworks: setting({
    env: 'STALEWATCH_WEBHOOK_ALLOWED_NETWORKS',
    schema: z.string().transform(splitList).pipe(z.array(z.string().refine(isNetwork, 'must be an IP address or CIDR range, e.g. 10.0.0.0/8'))),
    default: '',
    shownDefault: 'empty',
    help: 'internal networks (CIDR, comma-separated) that webhooks may reach; loopback, private, link-local and metadata addresses are refused otherwise',
    docs: ['readme', 'security'],
  }),
  maxVersionsPerProject: setting({ env: 'STALEWATCH_MAX_VERSIONS_PER_PROJECT', schema: int(1, 1_000_000), default: '1000', help: 'distinct versions a project may have: events of more get 422 `too_many_versions`', docs: ['security'] }),
  ackTimeoutMs: setting({
    env: 'STALEWATCH_ACK_TIMEOUT_MS',
    schema: int(50, 60_000),
    default: '1000',
    help: 'stored mode: a request not acknowledged this long after its rows could be inserted gets 503 `storage_slow`',
    docs: ['security'],
  }),
  stallTimeoutMs: setting({ env: 'STALEWATCH_STALL_TIMEOUT_MS', schema: int(100, 600_000), default: '10000', help: 'stored mode: an insert not settled this long is given up on', docs: ['security'] }),
  faultFile: setting({ env: 'STALEWATCH_FAULT_FILE', schema: z.string().optional(), help: 'fault injection: read before each insert (`down`, `stall`); off when unset', docs: ['security'] }),
  logLevel: setting({
    env: 'STALEWATCH_LOG_LEVEL',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be debug, info, warn, error or silent' }),
    default: 'info',
    help: 'least severe log line written',
    docs: ['readme'],
  }),
  queryConnections: setting({
    env: 'STALEWATCH_QUERY_CONNECTIONS',
    schema: int(1, 8),
    default: '2',
    help: "embedded engine: connections that serve dashboard and API reads side by side (each runs one query at a time; ingest and background jobs have their own)",
    docs: ['readme'],
  }),
  threadpoolSize: setting({
    env: 'UV_THREADPOOL_SIZE',
    schema: int(1, 1024).optional(),
    shownDefault: '16 (set by `npm start`)',
    help: 'libuv threads: every chDB call holds one while it runs, and the ingest log\'s writes must not queue behind them',
    docs: ['readme'],
  }),
  otlpEndpoint: setting({
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    schema: z.string().url('must be a URL').optional(),
    help: 'where traces go (with the other `OTEL_EXPORTER_OTLP_*` variables, read by @vercel/otel); no tracing when unset',
    docs: ['readme'],
  }),
  otlpTracesEndpoint: setting({ env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', schema: z.string().url('must be a URL').optional(), help: 'where traces go, if not the endpoint above', docs: ['readme'] }),
  serviceName: setting({ env: 'OTEL_SERVICE_NAME', schema: z.string().min(1), default: 'stalewatch', help: 'service name on traces', docs: ['readme'] }),
  skipStartup: setting({
    env: 'STALEWATCH_SKIP_STARTUP',
    schema: flag,
    default: '0',
    help: "1: Next.js's start-up hook neither migrates nor starts the background jobs (a process that does both itself)",
    docs: [],
  }),
  benchRoutes: setting({
    env: 'STALEWATCH_BENCH_ROUTES',
    schema: flag,
    default: '0',
    help: "1: `next build` adds the bench's baseline route (`npm run bench` builds so, into its own build directory)",
    docs: [],
  }),
  nextDistDir: setting({ env: 'STALEWATCH_NEXT_DIST_DIR', schema: z.string().min(1), default: '.next', help: 'where `next build` writes and `npm start` reads the app build (builds side by side)', docs: [] }),
}

export type SettingName = keyof typeof SETTINGS
export type Config = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> }

/** The variable's text, or the default when it is unset or empty. */
const rawValue = (def: SettingDef<z.ZodType>, env: Env) => env[def.env] || (typeof def.default === 'function' ? def.default(env) : def.default)

export function loadConfig(env: Env = process.env): Config {
  const values: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [name, def] of Object.entries(SETTINGS) as [SettingName, SettingDef<z.ZodType>][]) {
    const parsed = def.schema.safeParse(rawValue(def, env))
    if (parsed.success) values[name] = parsed.data
    else problems.push(formatIssues(parsed.error, { root: def.env }))
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`)
  return values as Config
}

/** One setting, read and checked on its own: for scripts that need only it (a build directory, a data directory). */
export function readSetting<K extends SettingName>(name: K, env: Env = process.env): Config[K] {
  const def = SETTINGS[name] as SettingDef<z.ZodType>
  const parsed = def.schema.safeParse(rawValue(def, env))
  if (!parsed.success) throw new Error(`Invalid configuration: ${formatIssues(parsed.error, { root: def.env })}`)
  return parsed.data as Config[K]
}

let cached: Config | undefined

export function config(): Config {
  cached ??= loadConfig()
  return cached
}

/** For tests that change the environment between cases. */
export function resetConfigCache(): void {
  cached = undefined
}
