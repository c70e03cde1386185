// Versions as people read them (docs/dashboard.md, Versions): a git SHA is
// shown by its first 7 characters wherever space is tight (tiles, legends,
// tables, marker labels), the way git itself abbreviates it, with the whole
// version on hover; exports and the copy buttons keep the whole string.
// Other version strings are shown as they are. Pure.

const SHORT = 7
const GIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i
const SHA_IN_TEXT = /\b(?:[0-9a-f]{64}|[0-9a-f]{40})\b/gi

/** The short form of a version: a full git SHA (SHA-1 or SHA-256) as its first 7 characters, anything else unchanged. */
export function shortVersion(version: string): string {
  return GIT_SHA.test(version) ? version.slice(0, SHORT) : version
}

/** Text that names versions ("min <sha>", "<sha> · hidden") with every full SHA in it shortened. */
export function shortVersionsIn(text: string): string {
  return text.replace(SHA_IN_TEXT, (sha) => sha.slice(0, SHORT))
}
