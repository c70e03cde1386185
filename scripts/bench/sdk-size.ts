import type { BenchSection, BenchTable } from './section'

// The SDK's core size, gzipped, against its budget and what comparable
// browser agents ship. Anchors are published figures, not measured here.

export const CORE_BUDGET_BYTES = 1536
const ANCHORS: [name: string, kb: number][] = [
  ['Umami', 1.7],
  ['Plausible npm tracker', 2.6],
  ['Sentry', 33],
  ['Grafana Faro', 42],
  ['PostHog', 122],
]

interface BuildSdk {
  buildSdk: () => Promise<{ files: unknown; coreGzipBytes: number }> | { files: unknown; coreGzipBytes: number }
}

async function run(): Promise<BenchTable[]> {
  let builder: BuildSdk
  try {
    // A variable specifier: sdk/scripts/build.ts belongs to the SDK engineer and may not exist yet.
    const specifier = '../../sdk/scripts/build'
    builder = (await import(specifier)) as BuildSdk
    if (typeof builder.buildSdk !== 'function') throw new Error('sdk/scripts/build.ts does not export buildSdk()')
  } catch (error) {
    return [{ title: 'SDK size', columns: ['status'], rows: [['section not available: sdk/scripts/build.ts could not be loaded']], notes: [error instanceof Error ? error.message.split('\n')[0]! : String(error)] }]
  }
  const { coreGzipBytes } = await builder.buildSdk()
  const rows: (string | number)[][] = [
    ['Stalewatch SDK core (this build)', coreGzipBytes, '100 %'],
    ...ANCHORS.map(([name, kb]): (string | number)[] => [`${name} (published)`, Math.round(kb * 1024), `${((100 * kb * 1024) / coreGzipBytes).toFixed(0)} %`]),
  ]
  return [
    {
      title: 'SDK size (gzip)',
      columns: ['script', 'gzip bytes', 'vs Stalewatch core'],
      rows,
      notes: [`budget ${CORE_BUDGET_BYTES} bytes: ${coreGzipBytes <= CORE_BUDGET_BYTES ? 'within' : 'OVER'} (${coreGzipBytes} bytes)`],
    },
  ]
}

export const sdkSizeSection: BenchSection = { name: 'sdk-size', run }
export default sdkSizeSection
