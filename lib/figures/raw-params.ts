// What every figure's raw SELECT shares: epoch-ms query parameters read as
// times, and the parameters of a window of minutes over which the rollup and
// the readers run the same raw text (lib/figures/*/raw.ts).

/** SQL: the epoch-ms query parameter {name:Int64} as a UTC DateTime64 (a parameter to a time, never the other way). */
export const msParamAsTime = (name: string) => `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`

/**
 * Parameters of a raw SELECT over the minute boundaries in [from, to] of one
 * project: {project}, {from}, {to} (epoch ms), the liveness window {windowMs}
 * and {steps}, the minute boundaries one event can keep its session live at.
 */
export function rawWindowParams(projectId: string, from: number, to: number, windowSeconds: number): Record<string, unknown> {
  return { project: projectId, from, to, windowMs: windowSeconds * 1000, steps: Math.ceil(windowSeconds / 60) + 1 }
}
