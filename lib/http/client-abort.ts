import { log } from '../log'

// A client that goes away mid-request (a closed tab, a dropped connection)
// is routine on a public server, and anybody can cause it: it is counted,
// never logged as an error, or a thousand aborts would write a thousand lines.

/** Whether a thrown value says the client went away before its request was read. */
export function isClientAbortError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE' || (error instanceof Error && error.message === 'aborted')
}

let quieted = false

/**
 * Next.js reports a client that went away mid-body as an error, with
 * console.error (the body it clones for proxy.ts fails to finish): four lines
 * of stack each, and it has no setting to say otherwise. Those calls become
 * one debug line and a count; every other console.error is written as it was.
 * Once per process, after Next.js is prepared (so this wraps its own console).
 */
export function quietNextClientAborts(onAbort: () => void): void {
  if (quieted) return
  quieted = true
  const write = console.error.bind(console)
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && isClientAbortError(args[0])) {
      onAbort()
      log.debug('a client went away mid-request (Next.js route)')
      return
    }
    write(...args)
  }
}
