// A load generator's request made once as bytes (request line, headers and
// body) with fixed-width decimal fields left in it, so each request costs a
// copy of the template and a few digits written in place: no string built,
// no encoding, no header object, and a Content-Length that never changes.
//
// The body is written with `{name:width}` where a field goes, e.g.
// `"sentAt":{sentAt:13}`; each field is a whole number written zero-padded to
// its width (a millisecond timestamp is 13 digits until the year 2286). A
// field may stand in several places; each gets the same value.

export interface PreparedRequest {
  bytes: Buffer
  /** Where each field's digits start, in each place it stands, and how many there are. */
  fields: Map<string, { offset: number; width: number }[]>
}

const FIELD = /\{(\w+):(\d+)\}/g

/** A POST of `body` to `path` on `host` over a kept-alive connection, with the body's fields left for `fill`. */
export function prepareRequest(options: { host: string; path: string; contentType: string; body: string }): PreparedRequest {
  const widths = new Map<string, number>()
  const body = options.body.replace(FIELD, (_, name: string, width: string) => {
    if ((widths.get(name) ?? Number(width)) !== Number(width)) throw new Error(`field ${name} has two widths`)
    widths.set(name, Number(width))
    return `\u0000${name}\u0000`
  })
  // The body is ASCII (ids, versions and JSON punctuation), so its length in bytes is its length in characters.
  const bodyWithDigits = body.replace(/\u0000(\w+)\u0000/g, (_, name: string) => '0'.repeat(widths.get(name)!))
  if (Buffer.byteLength(bodyWithDigits) !== bodyWithDigits.length) throw new Error('a prepared body must be ASCII')
  const head = `POST ${options.path} HTTP/1.1\r\nHost: ${options.host}\r\nContent-Type: ${options.contentType}\r\nContent-Length: ${bodyWithDigits.length}\r\nConnection: keep-alive\r\n\r\n`
  const fields = new Map<string, { offset: number; width: number }[]>()
  let text = head
  for (const part of body.split(/(\u0000\w+\u0000)/)) {
    const name = /^\u0000(\w+)\u0000$/.exec(part)?.[1]
    if (name) {
      fields.set(name, [...(fields.get(name) ?? []), { offset: text.length, width: widths.get(name)! }])
      text += '0'.repeat(widths.get(name)!)
    } else text += part
  }
  return { bytes: Buffer.from(text, 'latin1'), fields }
}

/** Writes `value` (a whole number ≥ 0) zero-padded into `out` at the field's place. */
export function writeField(out: Buffer, field: { offset: number; width: number }, value: number): void {
  let rest = value
  for (let i = field.offset + field.width - 1; i >= field.offset; i--) {
    out[i] = 48 + (rest % 10)
    rest = Math.floor(rest / 10)
  }
  if (rest !== 0) throw new Error(`${value} does not fit in ${field.width} digits`)
}

/** A fresh copy of the template (the one on the wire may still be queued in a socket), its fields filled from `values`. */
export function fill(request: PreparedRequest, values: Record<string, number>): Buffer {
  const out = Buffer.allocUnsafe(request.bytes.length)
  request.bytes.copy(out)
  for (const [name, places] of request.fields) {
    const value = values[name]
    if (value === undefined) throw new Error(`no value for field ${name}`)
    for (const place of places) writeField(out, place, value)
  }
  return out
}
