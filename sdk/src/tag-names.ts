// Where a request carries the version of the tab that sent it: one home for
// the names, shared by the browser's tagging (tag-requests.ts) and the server
// middleware that reads them (server/labels.ts).

/** The request header fetch and XMLHttpRequest carry (responses use the same name to tell tabs the latest version). */
export const VERSION_HEADER = 'x-app-version'
/** The query parameter for what cannot set headers: WebSocket and EventSource URLs. */
export const VERSION_PARAM = 'sw_v'
/** Set to 1 on a socket URL when the client is reconnecting, so the server counts a reconnect. */
export const RECONNECT_PARAM = 'sw_reconnect'
