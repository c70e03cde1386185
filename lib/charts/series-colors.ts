import type { ChartData } from './chart-data'
import { versionColor } from './version-colors'

// Colours per chart series: a version keeps its colour on every chart (by
// release order); reload reasons have fixed colours.

const REASONS: Record<string, string> = {
  user: '#8e99a8',
  update_prompt: '#59a14f',
  forced: '#e15759',
  chunk_error: '#f28e2b',
  app: '#4e79a7',
}

export function seriesColors(data: Pick<ChartData, 'series' | 'chart'>, versionOrder: readonly string[]): Record<string, string> {
  const colors: Record<string, string> = {}
  const known = new Map(versionOrder.map((v, i) => [v, i]))
  let extra = versionOrder.length
  data.series.forEach((series) => {
    if (data.chart === 'reloads' && REASONS[series]) {
      colors[series] = REASONS[series]
      return
    }
    const version = series.split(' · ')[0]!.split(' @ ')[0]!
    colors[series] = versionColor(known.get(version) ?? extra++)
  })
  return colors
}
