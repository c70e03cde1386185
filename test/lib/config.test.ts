import { describe, expect, it } from 'vitest'
import { loadConfig } from '@/lib/config'

// Every setting is read and checked in lib/config.ts: a bad value stops the
// start with a message naming the variable, whichever module uses it.

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv

describe('configuration', () => {
  it('refuses a proxy-trust flag that is neither 0 nor 1, naming the variable', () => {
    expect(() => loadConfig(env({ STALEWATCH_TRUST_PROXY: 'yes' }))).toThrow(/STALEWATCH_TRUST_PROXY/)
  })

  it('refuses a log level it does not know, naming the variable', () => {
    expect(() => loadConfig(env({ STALEWATCH_LOG_LEVEL: 'loud' }))).toThrow(/STALEWATCH_LOG_LEVEL/)
  })

  it('reads the settings other modules used to read from the environment themselves', () => {
    const c = loadConfig(env({ STALEWATCH_TRUST_PROXY: '1', STALEWATCH_PUBLIC_URL: 'https://sw.example', STALEWATCH_BACKGROUND_JOBS: '0', STALEWATCH_RATE_PER_KEY: '7' }))
    expect(c).toMatchObject({ trustProxy: true, publicUrl: 'https://sw.example', backgroundJobs: false, ratePerKey: 7, burstPerKey: 14 })
  })
})
