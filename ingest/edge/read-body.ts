import { WIRE_LIMITS } from '../../sdk/src/wire'

export interface LimitedBody {
  body: Uint8Array
  tooLarge: boolean
}

/**
 * Reads at most `limit` bytes of a body stream. A longer body stops reading
 * at once (a 64 KiB limit must not cost a 1 GiB upload) and is reported as too large.
 */
export async function readLimited(chunks: AsyncIterable<Uint8Array>, limit: number = WIRE_LIMITS.maxBodyBytes): Promise<LimitedBody> {
  const parts: Uint8Array[] = []
  let size = 0
  for await (const chunk of chunks) {
    size += chunk.byteLength
    if (size > limit) return { body: new Uint8Array(), tooLarge: true }
    parts.push(chunk)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    body.set(part, offset)
    offset += part.byteLength
  }
  return { body, tooLarge: false }
}

/**
 * readLimited for a node:http request, by its events: an async iterator over
 * the request costs several times more per request on the high-volume path.
 */
export function readLimitedNode(req: import('node:stream').Readable, limit: number = WIRE_LIMITS.maxBodyBytes): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        resolve({ body: new Uint8Array(), tooLarge: true })
      } else parts.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve({ body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), tooLarge: false })
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}
