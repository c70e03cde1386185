// Engine errors, parsed once: whatever refused a call (the embedded engine,
// whose errors are messages like "Code: 25. DB::Exception: … (NAME)", or a
// server, whose errors clickhouse-js hands over as a ClickHouseError with the
// code apart and the message without it), callers get an EngineError with
// the numeric code and its name. Decisions read the code, never message text
// (the ingest log's "is this bad data", ingest/log/salvage.ts).

const engineErrorLabel = (code: number, type: string | null) => `code ${code}${type ? ` ${type}` : ''}`

export class EngineError extends Error {
  override readonly name = 'EngineError'

  constructor(
    /** The engine's error code (ClickHouse's ErrorCodes.cpp), e.g. 27. */
    readonly code: number,
    /** Its name, e.g. CANNOT_PARSE_INPUT_ASSERTION_FAILED; null when the error did not say. */
    readonly type: string | null,
    /** What the engine said, first line only, without the code. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    // "code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED: Cannot parse input: …": how logs and set-aside lines name it.
    super(`${engineErrorLabel(code, type)}: ${detail}`, options)
  }

  /** "code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED" */
  get label(): string {
    return engineErrorLabel(this.code, this.type)
  }
}

// "Code: 25. DB::Exception: Cannot parse escape sequence: … (CANNOT_PARSE_ESCAPE_SEQUENCE) (version …)"
const MESSAGE_CODE = /\bCode: (\d+)\.\s*(?:DB::Exception:\s*)?/
const MESSAGE_TYPE = /\(([A-Z][A-Z0-9_]*_[A-Z0-9_]+)\)/

/** The error as an EngineError when the engine raised it; null for anything else (a socket, a file, a fault). */
export function engineError(error: unknown): EngineError | null {
  if (error instanceof EngineError) return error
  if (!(error instanceof Error)) return null
  // clickhouse-js's ClickHouseError (from a server, or chDB's connection): { code: '27', type: 'CANNOT_…' }.
  // Node's own errors carry codes too, but never digits ('ECONNREFUSED').
  const shaped = error as Error & { code?: unknown; type?: unknown }
  if (typeof shaped.code === 'string' && /^\d+$/.test(shaped.code)) {
    return new EngineError(Number(shaped.code), typeof shaped.type === 'string' && shaped.type ? shaped.type : null, firstLine(error.message), { cause: error })
  }
  const code = MESSAGE_CODE.exec(error.message)
  if (!code) return null
  const rest = error.message.slice(code.index + code[0].length)
  return new EngineError(Number(code[1]), MESSAGE_TYPE.exec(rest)?.[1] ?? null, firstLine(rest.replace(MESSAGE_TYPE, '').replace(/\s*\(version [^)]*\)/, '')), { cause: error })
}

/** Runs an engine call; an engine error comes out as an EngineError, anything else as it was. */
export async function withEngineErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw engineError(error) ?? error
  }
}

/** Up to its first line, without the engine's stack trace. */
const firstLine = (message: string): string => message.split('\n')[0]!.trim().slice(0, 500)
