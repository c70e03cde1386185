import { loadCounter } from 'stalewatch/server'

// One counter per server process. The server key is a secret: it is read on
// the server at run time and never reaches a browser bundle.
export const counter = loadCounter({
  endpoint: `${process.env.STALEWATCH_URL}/api/ingest/aggregates`,
  serverKey: process.env.STALEWATCH_SERVER_KEY,
})
