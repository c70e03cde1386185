// A palette that stays distinguishable in light and dark themes; version i
// (in release order) always gets the same colour on every chart.
const PALETTE = ['#8e99a8', '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f']

export function versionColor(index: number): string {
  return PALETTE[index % PALETTE.length]!
}
