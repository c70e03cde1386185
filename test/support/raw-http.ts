import http from 'node:http'

// Requests whose path goes on the wire exactly as written. Node's fetch (and
// the URL class) resolve `.` and `..` and re-encode the path, so they cannot
// send the variants a front door must withstand.

export interface RawAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface RawRequest {
  /** The server's base URL; only its host and port are used. */
  url: string
  /** The request target, sent verbatim. */
  path: string
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Source address, e.g. 127.0.0.7: on Linux every 127/8 address reaches a loopback listener, so each is its own client. */
  localAddress?: string
}

export function rawRequest(r: RawRequest): Promise<RawAnswer> {
  const base = new URL(r.url)
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path: r.path, method: r.method ?? 'GET', headers: r.headers, localAddress: r.localAddress, agent: false },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end(r.body)
  })
}

/** The error code of a JSON error answer, or undefined. */
export function rawErrorCode(answer: RawAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code
  } catch {
    return undefined
  }
}
