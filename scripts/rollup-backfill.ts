/**
 * Rollup backfill (docs/insights.md §Rollups): rolls up the resolved incidents opened in a window that are not
 * rolled up yet (resolved before rollups existed, or whose rollup failed before its marker was written), and with
 * `insights.history.enabled` writes their history snapshots. Safe to run twice: the marker per incident skips the
 * ones already rolled up.
 *
 *   npx tsx scripts/rollup-backfill.ts --from <ISO> --to <ISO> --table <DynamoDB table> [--bucket <archive bucket>]
 *                                      [--base-url <public API URL>] [--config config/pipeline.yaml]
 *   npx tsx scripts/rollup-backfill.ts --from <ISO> --to <ISO> --data-dir .data     (local runtime stopped)
 *
 * AWS credentials and region come from the environment (the SDK's default chain). Exit 0 when done, 2 on usage.
 */
import '../lambdas/local/check-node-version'; // first: stops with a clear message on an unsupported Node.js
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoIncidentStore } from '../lambdas/adapters/dynamodb/incident-store';
import { DynamoRollupStore } from '../lambdas/adapters/dynamodb/rollup-store';
import { FsDocuments } from '../lambdas/adapters/local/fs-documents';
import { S3Documents } from '../lambdas/adapters/s3/s3-documents';
import { backfillRollups } from '../lambdas/core/insights/on-resolve';
import { timezonesOf } from '../lambdas/core/insights/rollup';
import type { PublishedDocuments } from '../lambdas/core/ports';
import { startEmbeddedDynamo } from '../lambdas/local/embedded-dynamodb';
import { LOCAL_TABLE } from '../lambdas/local/runtime';
import { DEFAULT_CONFIG_PATH, loadPipelineConfig } from '../lib/config/load-pipeline-config';

const USAGE = 'usage: npx tsx scripts/rollup-backfill.ts --from <ISO> --to <ISO> (--table <name> [--bucket <name>] [--base-url <url>] | --data-dir <dir>) [--config <file>]';

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, table: { type: 'string' }, bucket: { type: 'string' }, 'base-url': { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string' } },
  });
  const bad = (why: string) => (console.error(`${why}\n${USAGE}`), 2);
  if (!a.from || !a.to || Number.isNaN(Date.parse(a.from)) || Number.isNaN(Date.parse(a.to))) return bad('--from and --to must be ISO dates');
  if (!a.table === !a['data-dir']) return bad('give either --table (AWS) or --data-dir (local)');
  const config = loadPipelineConfig(a.config ?? DEFAULT_CONFIG_PATH);
  const window = { from: new Date(a.from).toISOString(), to: new Date(a.to).toISOString() };
  const local = a['data-dir'] ? await startEmbeddedDynamo({ tableName: LOCAL_TABLE, path: join(a['data-dir'], 'dynamodb') }) : null;
  try {
    const client = local?.client ?? new DynamoDBClient({});
    const table = a.table ?? LOCAL_TABLE;
    let history: PublishedDocuments | null = null;
    if (config.insights.history.enabled) {
      if (a['data-dir']) history = new FsDocuments(a['data-dir']);
      else if (a.bucket) history = new S3Documents(new S3Client({}), a.bucket);
      else return bad('insights.history.enabled: give --bucket (the archive bucket) for the history snapshots');
    }
    const baseUrl = (a['base-url'] ?? 'http://localhost:3000').replace(/\/+$/, '');
    const result = await backfillRollups(new DynamoIncidentStore(client, table), {
      rollups: new DynamoRollupStore(client, table), history, timezones: timezonesOf(config.people),
      incidentUrl: (id) => `${baseUrl}/api/incidents/${encodeURIComponent(id)}`, clock: { now: () => new Date() },
      log: (message, data) => console.error(message, data),
    }, window, (p) => console.error(`${p.resolved} resolved incidents read, ${p.added} rolled up`));
    console.log(JSON.stringify(result));
    return 0;
  } finally {
    await local?.close();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
