import net from 'node:net'

// Prepared request bytes (prepared-request.ts) written on kept-alive TCP
// sockets, one request at a time per socket, and each answer read only as
// far as the load generator needs it: the status code, and where the answer
// ends (no body for 204, else Content-Length or the last chunk), so the
// socket can take the next request. No http.ClientRequest, no header
// objects: the generator's CPU per request stays small beside the node's.
// Requests beyond the free sockets wait in order.

/** status 0: the connection failed or closed before a whole answer. `answer`: its raw bytes, for answerBody and answerHeader (null with status 0). */
export type Done = (status: number, answer: Buffer | null) => void

interface Conn {
  socket: net.Socket
  done: Done | null
  received: Buffer | null
}

const HEAD_END = Buffer.from('\r\n\r\n')
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n')

/** "HTTP/1.1 204 …": the status is the three digits from the 10th byte; 0 before a whole status line. */
const statusOf = (data: Buffer) => (data.length >= 12 ? (data[9]! - 48) * 100 + (data[10]! - 48) * 10 + (data[11]! - 48) : 0)

/** The answer's status and whether its connection stays open, once `data` holds one whole answer; undefined before. */
function wholeAnswer(data: Buffer): { status: number; keepAlive: boolean } | undefined {
  const headEnd = data.indexOf(HEAD_END)
  if (headEnd === -1) return undefined
  const status = statusOf(data)
  const bodyStart = headEnd + 4
  const head = data.toString('latin1', 0, headEnd).toLowerCase()
  const keepAlive = !/\r\nconnection:\s*close/.test(head)
  if (status === 204 || status === 304 || status < 200) return { status, keepAlive }
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)
  if (length) return data.length >= bodyStart + Number(length[1]) ? { status, keepAlive } : undefined
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) {
    const tail = data.subarray(bodyStart - 2)
    return tail.length >= LAST_CHUNK.length && tail.subarray(tail.length - LAST_CHUNK.length).equals(LAST_CHUNK) ? { status, keepAlive } : undefined
  }
  // Neither: the body runs to the connection's close (counted then).
  return undefined
}

/** A header's value in a raw answer, or undefined. */
export function answerHeader(answer: Buffer, name: string): string | undefined {
  const head = answer.toString('latin1', 0, answer.indexOf(HEAD_END))
  return new RegExp(`\\r\\n${name}:[ \\t]*([^\\r]*)`, 'i').exec(head)?.[1]
}

/** A raw answer's body as text, its chunks joined when it came chunked. */
export function answerBody(answer: Buffer): string {
  const bodyStart = answer.indexOf(HEAD_END) + 4
  if (answerHeader(answer, 'transfer-encoding')?.toLowerCase().includes('chunked') !== true) return answer.toString('utf8', bodyStart)
  const parts: Buffer[] = []
  let at = bodyStart
  for (;;) {
    const lineEnd = answer.indexOf('\r\n', at)
    const size = Number.parseInt(answer.toString('latin1', at, lineEnd), 16)
    if (!(size > 0)) break
    parts.push(answer.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(parts).toString('utf8')
}

export class KeepAliveSockets {
  private readonly idle: Conn[] = []
  private readonly waiting: { bytes: Buffer; done: Done }[] = []
  private open = 0
  private closed = false

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxSockets: number,
  ) {}

  /** Requests written or waiting for a socket, not yet answered. */
  pending = 0

  send(bytes: Buffer, done: Done): void {
    this.pending++
    const conn = this.idle.pop() ?? (this.open < this.maxSockets ? this.connect() : undefined)
    if (conn) this.write(conn, bytes, done)
    else this.waiting.push({ bytes, done })
  }

  close(): void {
    this.closed = true
    for (const conn of this.idle.splice(0)) conn.socket.destroy()
  }

  private connect(): Conn {
    this.open++
    const socket = net.connect({ host: this.host, port: this.port })
    socket.setNoDelay(true)
    const conn: Conn = { socket, done: null, received: null }
    socket.on('data', (chunk: Buffer) => {
      if (!conn.done) return // nothing asked: not an answer to count
      conn.received = conn.received ? Buffer.concat([conn.received, chunk]) : chunk
      const answer = wholeAnswer(conn.received)
      if (answer === undefined) return
      const raw = conn.received
      conn.received = null
      const done = conn.done
      conn.done = null
      this.pending--
      done(answer.status, raw)
      // A connection the server closes after this answer takes no more requests; its close brings a new one.
      if (answer.keepAlive) this.next(conn)
      else conn.socket.end()
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      this.open--
      const at = this.idle.indexOf(conn)
      if (at !== -1) this.idle.splice(at, 1)
      if (conn.done) {
        const done = conn.done
        // An answer whose body ran to the close counts by its status; no answer at all is 0.
        const raw = conn.received && conn.received.indexOf(HEAD_END) !== -1 ? conn.received : null
        conn.received = null
        conn.done = null
        this.pending--
        done(raw ? statusOf(raw) : 0, raw)
      }
      // A request that was waiting gets a new connection in this one's place.
      const waiting = this.waiting.shift()
      if (waiting && !this.closed) this.write(this.connect(), waiting.bytes, waiting.done)
    })
    return conn
  }

  private write(conn: Conn, bytes: Buffer, done: Done): void {
    conn.done = done
    conn.socket.write(bytes)
  }

  private next(conn: Conn): void {
    const waiting = this.waiting.shift()
    if (waiting) this.write(conn, waiting.bytes, waiting.done)
    else if (this.closed) conn.socket.destroy()
    else this.idle.push(conn)
  }
}
