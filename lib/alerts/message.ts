import type { AlertRule } from './rule-schema'
import type { StoredTransition } from './transition-store'

// What a notification says, as the bytes that are signed and sent. Pure.

const EXPLORER_MARGIN_MS = 15 * 60_000

export interface Links {
  explorer: string
  dashboard: string
}

/** The explorer window around the episode: from its start to the transition, with a margin each side. */
export function linksFor(baseUrl: string, projectId: string, since: number, at: number): Links {
  const base = baseUrl.replace(/\/+$/, '')
  const q = encodeURIComponent(projectId)
  return {
    explorer: `${base}/explorer?project=${q}&from=${since - EXPLORER_MARGIN_MS}&to=${at + EXPLORER_MARGIN_MS}`,
    dashboard: `${base}/?project=${q}`,
  }
}

// rollout.*: a reload wave's guard paused or resumed it (lib/rollout/notify.ts).
export type NotificationType = 'alert.firing' | 'alert.resolved' | 'alert.test' | 'rollout.paused' | 'rollout.resumed'

export interface Notification {
  /** Stable across retries of one transition: receivers de-duplicate on it. */
  id: string
  type: NotificationType
  project: string
  rule: { id: string; name: string; kind: string }
  state: 'firing' | 'resolved' | 'test'
  at: number
  since: number
  value: number | null
  threshold: number
  summary: string
  links: Links
}

export function notificationFor(t: StoredTransition, rule: Pick<AlertRule, 'condition'> | undefined, baseUrl: string): Notification {
  const state = t.kind === 'resolved' ? 'resolved' : 'firing'
  return {
    id: `${t.ruleId}:${t.seq}`,
    type: state === 'resolved' ? 'alert.resolved' : 'alert.firing',
    project: t.projectId,
    rule: { id: t.ruleId, name: t.ruleName, kind: rule?.condition.kind ?? 'unknown' },
    state,
    at: t.at,
    since: t.since,
    value: t.value,
    threshold: t.threshold,
    summary: t.summary,
    links: linksFor(baseUrl, t.projectId, t.since, t.at),
  }
}

export function testNotification(rule: AlertRule, now: number, baseUrl: string): Notification {
  return {
    id: `${rule.id}:test:${now}`,
    type: 'alert.test',
    project: rule.projectId,
    rule: { id: rule.id, name: rule.name, kind: rule.condition.kind },
    state: 'test',
    at: now,
    since: now,
    value: null,
    threshold: 0,
    summary: 'Test notification: this destination is wired up.',
    links: linksFor(baseUrl, rule.projectId, now, now),
  }
}

const fmt = (n: number | null) => (n === null ? 'undefined' : Number.isInteger(n) ? String(n) : n.toFixed(2))

export function headline(n: Notification): string {
  const tag = { firing: 'FIRING', resolved: 'RESOLVED', test: 'TEST' }[n.state]
  return `[${tag}] ${n.rule.name} (project ${n.project})`
}

/** The generic webhook body. sentAt is the attempt's time, also sent as x-stalewatch-timestamp. */
export function webhookBody(n: Notification, sentAt: number): string {
  return JSON.stringify({ ...n, sentAt })
}

/** Slack incoming-webhook format: a fallback `text` plus one mrkdwn section. */
export function slackBody(n: Notification): string {
  const emoji = { firing: ':rotating_light:', resolved: ':white_check_mark:', test: ':wave:' }[n.state]
  const text =
    `${emoji} *${headline(n)}*\n${n.summary}\n` +
    `Value: ${fmt(n.value)} · threshold: ${fmt(n.threshold)}\n` +
    `<${n.links.explorer}|Open the explorer at that time> · <${n.links.dashboard}|Dashboard>`
  return JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] })
}
