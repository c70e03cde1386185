import http from 'node:http'
import type { AddressInfo } from 'node:net'

// Bench baseline, run as its own child process: bare node:http reading the
// body, parsing the JSON and answering 204. No validation, no storage: the
// ceiling any ingest path on this machine is measured against.

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(204)
    } catch {
      res.writeHead(400)
    }
    res.end()
  })
})
server.keepAliveTimeout = 65_000
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` })
})
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
})
