/**
 * The `insights:` section of the pipeline config (docs/insights.md §History): the optional incident history, one
 * JSON Lines snapshot per resolved incident in the archive bucket (`history/dt=YYYY-MM-DD/`), with a Glue table and
 * an Athena workgroup; and the history's columns, which the row builder (history.ts) and the Glue table (lib/) share.
 */
import * as z from 'zod/mini';

export const InsightsHistorySchema = z.strictObject({
  /** Write a snapshot of every resolved incident to `history/` and create the Glue table and Athena workgroup. */
  enabled: z._default(z.boolean(), false),
  /** Days the snapshots are kept (an S3 lifecycle rule on `history/`). */
  retainDays: z._default(z.int().check(z.minimum(1), z.maximum(3650)), 730),
});

export const InsightsConfigSchema = z.strictObject({
  history: z._default(InsightsHistorySchema, { enabled: false, retainDays: 730 }),
});

export type InsightsConfig = z.infer<typeof InsightsConfigSchema>;
export const DEFAULT_INSIGHTS_CONFIG: InsightsConfig = { history: { enabled: false, retainDays: 730 } };

/** Where the snapshots go in the archive bucket (and under the local data directory). */
export const HISTORY_PREFIX = 'history/';

/** The columns of a history line, with their Athena (Hive) types; the partition column `dt` is not in the line. */
export const HISTORY_COLUMNS = [
  ['incident_id', 'string'], ['title', 'string'], ['service', 'string'], ['team', 'string'], ['escalation_policy', 'string'],
  ['severity', 'string'], ['status', 'string'], ['source', 'string'], ['tags', 'map<string,string>'], ['tagged_by', 'array<string>'],
  ['route_rule', 'string'], ['fingerprint', 'string'], ['alert_count', 'int'], ['suppressed_by', 'string'],
  ['created', 'string'], ['first_signal', 'string'], ['first_page', 'string'], ['first_notification', 'string'],
  ['acknowledged', 'string'], ['resolved', 'string'], ['resolved_by', 'string'],
  ['seconds_to_ack', 'int'], ['seconds_to_resolve', 'int'], ['seconds_to_know', 'int'],
  ['pages', 'int'], ['notifications', 'int'], ['highest_level', 'int'], ['escalations', 'int'], ['reassignments', 'int'],
  ['snoozes', 'int'], ['auto_resolved', 'boolean'], ['interruptions', 'int'], ['source_url', 'string'], ['incident_url', 'string'],
] as const;
export type HistoryColumn = (typeof HISTORY_COLUMNS)[number][0];
