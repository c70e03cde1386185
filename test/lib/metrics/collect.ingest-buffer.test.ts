import { describe, expect, it } from 'vitest'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { ingestFamilies } from '@/lib/metrics/collect'

// The ingest buffer's gauges: SREs alert on the fill ratio, so it must reach 1
// when either bound (rows or bytes) is about to refuse requests.

const ingest = ingestMetrics()
function value(families: ReturnType<typeof ingestFamilies>, name: string): number | undefined {
  const family = families.find((f) => f.name === name)
  return family && 'samples' in family ? family.samples[0]?.value : undefined
}

describe('ingest buffer gauges', () => {
  it('reports the fuller of the two bounds as the fill ratio, and the bytes of the ingest log', () => {
    const families = ingestFamilies(ingest, { waitingRows: 80, inFlightRows: 20, capacityRows: 1_000, bytes: 900, capacityBytes: 1_000 })
    expect(value(families, 'stalewatch_ingest_buffer_fill_ratio')).toBe(0.9)
    expect(value(families, 'stalewatch_ingest_buffer_bytes')).toBe(900)
    expect(value(families, 'stalewatch_ingest_buffer_capacity_bytes')).toBe(1_000)
  })

  it('reports rows alone for a buffer bounded in rows only', () => {
    const families = ingestFamilies(ingest, { waitingRows: 250, inFlightRows: 0, capacityRows: 1_000 })
    expect(value(families, 'stalewatch_ingest_buffer_fill_ratio')).toBe(0.25)
    expect(families.some((f) => f.name === 'stalewatch_ingest_buffer_bytes')).toBe(false)
  })
})
