import { randomToken } from '../ids'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { conditionSchema, type AlertRule, type Destination, type NewRule } from './rule-schema'

export async function createRule(input: NewRule, now = Date.now()): Promise<AlertRule> {
  const rule: AlertRule = {
    id: randomToken('r_', 12),
    projectId: input.project,
    name: input.name,
    condition: input.condition,
    destinations: input.destinations.map((d) => ({
      id: randomToken('d_', 10),
      kind: d.kind,
      url: d.url,
      secret: d.secret ?? randomToken('whsec_', 32),
    })),
    deleted: false,
    createdAt: now,
  }
  await writeRule(rule, now)
  return rule
}

async function writeRule(rule: AlertRule, now: number): Promise<void> {
  await insertRows('writeAlertRule', table('alert_rules'), [
    {
      project_id: rule.projectId,
      id: rule.id,
      name: rule.name,
      kind: rule.condition.kind,
      condition: JSON.stringify(rule.condition),
      destinations: JSON.stringify(rule.destinations),
      deleted: rule.deleted ? 1 : 0,
      created_at: rule.createdAt,
      updated_at: now,
    },
  ])
}

/** Marks the rule deleted; its transitions keep pointing at it. False when there is no such rule. */
export async function deleteRule(id: string, now = Date.now()): Promise<boolean> {
  const rule = (await listRules({ includeDeleted: false })).find((r) => r.id === id)
  if (!rule) return false
  // A delete in the same millisecond as the create must still win the replace.
  await writeRule({ ...rule, deleted: true }, Math.max(now, rule.createdAt + 1))
  return true
}

interface RuleRow {
  project_id: string
  id: string
  name: string
  condition: string
  destinations: string
  deleted: number
  created_at: number | string
}

export async function listRules(options: { projectId?: string; includeDeleted?: boolean } = {}): Promise<AlertRule[]> {
  const rows = await runQuery<RuleRow>(
    'listAlertRules',
    `SELECT project_id, id, name, condition, destinations, deleted, toUnixTimestamp64Milli(created_at) AS created_at
     FROM ${table('alert_rules')} FINAL
     WHERE ({project:String} = '' OR project_id = {project:String})
       AND ({includeDeleted:UInt8} = 1 OR deleted = 0)
     ORDER BY created_at, id`,
    { project: options.projectId ?? '', includeDeleted: options.includeDeleted ? 1 : 0 },
  )
  return rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    // Re-parsed so defaults added to the schema later apply to old rules too.
    condition: conditionSchema.parse(JSON.parse(r.condition)),
    destinations: JSON.parse(r.destinations) as Destination[],
    deleted: Number(r.deleted) === 1,
    createdAt: Number(r.created_at),
  }))
}

export async function getRule(id: string): Promise<AlertRule | undefined> {
  return (await listRules()).find((r) => r.id === id)
}
