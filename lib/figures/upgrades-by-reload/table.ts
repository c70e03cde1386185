import type { TableDef } from '../../store/ddl'

// The rollup of upgrades by reload (./rollup.ts): every reloaded load with
// the reason it got (migration 0010), and exact distinct-session sets per
// minute of the load (migration 0050). Reading every reloaded load per
// releases page grew with the sessions; sets merge exactly across minutes.
// Whether a load upgraded depends on the version order at its time, and
// releases can be registered after the fact, so the sets keep the
// (version, previous_version) pair and the reader applies the order per
// minute (./read.ts). A key that no longer occurs gets an empty set; readers
// take the newest row per key (FINAL).

const time = "DateTime64(3, 'UTC')"

export const reloadLoadsTable: TableDef = {
  name: 'reload_loads',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    ['version', 'LowCardinality(String)'],
    ['session_id', 'String'],
    ['load_id', 'String'],
    ['load_time', time],
    ['previous_version', 'LowCardinality(String)'],
    // Reason of the session's reload event in the 60 s before, else 'user'.
    ['reason', 'LowCardinality(String)'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, version, session_id, load_id)',
  shardBy: 'cityHash64(project_id)',
}

export const reloadUpgradeMinutesTable: TableDef = {
  name: 'reload_upgrade_minutes',
  columns: [
    ['project_id', 'LowCardinality(String)'],
    // The version the load ran.
    ['version', 'LowCardinality(String)'],
    // The bucket [minute, minute + 1 min) of the load's time.
    ['minute', "DateTime('UTC')"],
    ['previous_version', 'LowCardinality(String)'],
    // Reason of the session's reload event in the 60 s before, else 'user'.
    ['reason', 'LowCardinality(String)'],
    ['sessions', 'AggregateFunction(uniqExact, String)'],
    ['computed_at', time],
  ],
  engine: 'ReplacingMergeTree(computed_at)',
  orderBy: '(project_id, version, minute, previous_version, reason)',
  shardBy: 'cityHash64(project_id)',
}
