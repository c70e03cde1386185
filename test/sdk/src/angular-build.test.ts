import { describe, expect, it } from 'vitest'
import { ngArgs } from '../../../sdk/src/angular-build'

// `stalewatch ng build`: Angular's CLI gets the caller's arguments, then one
// --define per value the other build helpers bake in, from the same rule
// (the real build: test/scenarios/apps/angular.browser.test.ts).
describe('stalewatch ng', () => {
  it('adds a --define for the version, key and endpoint, from the environment as every helper reads it', () => {
    const env = { GIT_SHA: '4f1c2e9', STALEWATCH_KEY: 'swk_abc', STALEWATCH_URL: 'https://stalewatch.example/' }
    expect(ngArgs(['build', '--configuration', 'production'], env)).toEqual([
      'build',
      '--configuration',
      'production',
      '--define',
      '__STALEWATCH_VERSION__="4f1c2e9"',
      '--define',
      '__STALEWATCH_KEY__="swk_abc"',
      '--define',
      '__STALEWATCH_ENDPOINT__="https://stalewatch.example/api/ingest"',
    ])
  })

  it('quotes a version as a string literal whatever it holds', () => {
    const [, , version] = ngArgs(['build'], { STALEWATCH_VERSION: 'v1 "quoted"' })
    expect(version).toBe('__STALEWATCH_VERSION__="v1 \\"quoted\\""')
  })
})
