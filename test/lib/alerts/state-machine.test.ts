import { describe, expect, it } from 'vitest'
import { INITIAL_STATE, step, type Judgement, type RuleState } from '@/lib/alerts/state-machine'
import { backoffMs, MAX_ATTEMPTS } from '@/lib/alerts/deliver'
import { signBody, verifySignature } from '@/lib/alerts/sign'
import { renderExposition } from '@/lib/metrics/exposition'
import { parseExposition } from '../../support/prom-parser'

// Pure parts: the rule state machine with hysteresis, backoff, signatures,
// and the exposition renderer against the strict parser.

const MIN = 60_000
const options = { forMs: 5 * MIN, resolveAfter: 2 }

/** Value against threshold 20 with a 10 % margin: breaching above 20, clear at or below 18. */
const judge = (value: number): Judgement => ({ breaching: value > 20, clear: value <= 18 })

function run(values: number[], start: RuleState = INITIAL_STATE) {
  let state = start
  const kinds: string[] = []
  values.forEach((v, i) => {
    const r = step(state, judge(v), i * 30_000, options)
    state = r.next
    kinds.push(...r.transitions.map((t) => `${i}:${t.kind}`))
  })
  return { state, kinds }
}

describe('rule state machine', () => {
  it('fires only after the value stayed above the threshold for the whole duration', () => {
    // 30 s evaluations: breaching from evaluation 0; 5 min is evaluation 10.
    expect(run(Array(10).fill(25)).kinds).toEqual(['0:pending'])
    expect(run(Array(11).fill(25)).kinds).toEqual(['0:pending', '10:firing'])
  })

  it('cancels a pending alert that dips below the threshold, and starts the wait again', () => {
    const { kinds } = run([...Array(9).fill(25), 19, ...Array(11).fill(25)])
    expect(kinds).toEqual(['0:pending', '9:cancelled', '10:pending', '20:firing'])
  })

  it('does not flap on a value hovering at the threshold, and resolves after consecutive clear evaluations', () => {
    const hovering = [...Array(11).fill(25), 19.5, 20.5, 19, 21, 19.9, 20.1, 19]
    const { kinds, state } = run(hovering)
    expect(kinds).toEqual(['0:pending', '10:firing'])
    expect(state.state).toBe('firing')
    // One clear evaluation is not enough; two in a row resolve.
    expect(run([...Array(11).fill(25), 17, 19, 17]).kinds).toEqual(['0:pending', '10:firing'])
    expect(run([...Array(11).fill(25), 17, 19, 17, 10]).kinds).toEqual(['0:pending', '10:firing', '14:resolved'])
  })

  it('fires at once when the duration is 0, numbering every transition', () => {
    const r = step(INITIAL_STATE, judge(30), 1000, { forMs: 0, resolveAfter: 1 })
    expect(r.transitions.map((t) => [t.kind, t.seq])).toEqual([['pending', 1], ['firing', 2]])
    const back = step(r.next, judge(0), 2000, { forMs: 0, resolveAfter: 1 })
    expect(back.transitions).toEqual([{ kind: 'resolved', seq: 3, at: 2000, since: 1000 }])
    expect(back.next).toEqual({ state: 'ok', seq: 3, since: null, clearCount: 0 })
  })
})

describe('delivery pieces', () => {
  it('backs off exponentially up to a cap', () => {
    const waits = Array.from({ length: MAX_ATTEMPTS }, (_, i) => backoffMs(i + 1))
    expect(waits.slice(0, 3)).toEqual([10_000, 30_000, 90_000])
    expect(Math.max(...waits)).toBe(600_000)
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!)
  })

  it('signs the raw body so that any change breaks the signature', () => {
    const body = '{"a":1}'
    const signature = signBody('s3cret-s3cret-s3cret', body)
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifySignature('s3cret-s3cret-s3cret', body, signature)).toBe(true)
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":2}', signature)).toBe(false)
    expect(verifySignature('other-secret-other', body, signature)).toBe(false)
    expect(verifySignature('s3cret-s3cret-s3cret', body, undefined)).toBe(false)
  })
})

describe('exposition renderer', () => {
  it('escapes label values and renders histograms the strict parser accepts', () => {
    const text = renderExposition([
      { name: 'x_live', help: 'Live.\nTwo lines', type: 'gauge', samples: [{ labels: { version: 'a"b\\c\nd' }, value: 3 }, { value: NaN }] },
      { name: 'x_flush_seconds', help: 'Flush.', type: 'histogram', histograms: [{ bounds: [0.1, 1], counts: [2, 3], sum: 1.5, count: 4 }] },
    ])
    const families = parseExposition(text)
    expect(families.get('x_live')!.samples[0]!.labels.version).toBe('a"b\\c\nd')
    const buckets = families.get('x_flush_seconds')!.samples.filter((s) => s.name.endsWith('_bucket'))
    expect(buckets.map((b) => [b.labels.le, b.value])).toEqual([['0.1', 2], ['1', 3], ['+Inf', 4]])
    expect(() => parseExposition('x_live 1\n')).toThrow(/no TYPE/)
    expect(() => parseExposition('# TYPE y counter\ny{a="1",a="2"} 1\n')).toThrow(/duplicate label/)
  })
})
