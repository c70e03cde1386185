export {
  BEHAVIOUR,
  SIMULATOR_DEFAULTS,
  generateEnvelopes,
  generateSessions,
  latestVersionAt,
  toIngestEnvelope,
  trueEventTime,
  type SimEnvelope,
  type SimRelease,
  type SimSession,
  type SimulatorOptions,
} from './generator'
export { generateTimeline } from './timeline'
export { LoadBatcher, batchToEnvelope, type BatcherOptions, type LoadBatch } from './batch'
export { calendarVersion, fakeCommit, planReleases, type ReleasePlan } from './plan'
export { mulberry32, hash32, type Rng } from './prng'
export { planStorm, type StormBuild, type StormOptions, type StormPlan, type StormTab } from './storm'
