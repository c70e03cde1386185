// The User-Agent reduced to browser family and major version, the only parts
// of it Stalewatch stores (docs/privacy.md). Order matters: Edge and Opera
// also say "Chrome", Chrome also says "Safari".

export interface BrowserInfo {
  /** 'Chrome', 'Firefox', 'Safari', 'Edge', 'Opera', 'Samsung Internet', 'Bot', 'Other' or '' (no header). */
  browser: string
  /** 0 when unknown. */
  browserMajor: number
}

const RULES: readonly [family: string, pattern: RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\bOPR\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS|HeadlessChrome)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[\d.]*(?: Mobile\/\S+)? Safari\//],
]

const BOT = /bot|crawl|spider|slurp|headless|lighthouse|curl|wget|python|java\//i

export function parseUserAgent(header: string | null | undefined): BrowserInfo {
  if (!header) return { browser: '', browserMajor: 0 }
  // A header is at most a few hundred bytes from a real browser; look no further.
  const ua = header.slice(0, 512)
  if (BOT.test(ua) && !/HeadlessChrome/.test(ua)) return { browser: 'Bot', browserMajor: 0 }
  for (const [family, pattern] of RULES) {
    const match = pattern.exec(ua)
    if (match) return { browser: family, browserMajor: Math.min(Number(match[1]), 65535) }
  }
  return { browser: 'Other', browserMajor: 0 }
}
