/**
 * Handler: the human API's reports (insights and the export, postmortems, an alert's raw payload), behind the
 * bearer-token authorizer. One of the three API functions (api.ts): the only one with the S3 client; it reads
 * incidents but never changes one, so it needs no escalation, status notifier or resolve hook.
 */
import type { Context } from 'aws-lambda';
import { insightsRoutes, type InsightsDeps } from './api/insights';
import { postmortemRoutes } from './api/postmortems';
import { rawPayloadRoutes } from './api/raw-payloads';
import { createApiFunctionHandler, type ApiDeps, type ApiResource } from './api/shared';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoPostmortemStore } from '../adapters/dynamodb/postmortem-store';
import { S3Documents } from '../adapters/s3/s3-documents';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { dynamodbClient, once, s3Client } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { awsRollups } from './shared/insights';
import type { HttpEvent } from './shared/http';

/** What the report resources use. */
export type ReportsGroupDeps = InsightsDeps & Pick<ApiDeps, 'postmortems' | 'documents' | 'rawArchive' | 'statusNotifier'>;

/** The resources of this function. */
export const REPORT_RESOURCES: readonly ApiResource<ReportsGroupDeps>[] = [postmortemRoutes, insightsRoutes, rawPayloadRoutes];

export function createApiReportsHandler(deps: ReportsGroupDeps) {
  return createApiFunctionHandler(deps, REPORT_RESOURCES);
}

const awsHandler = once(() => createApiReportsHandler({
  config: deployedConfig(),
  store: new DynamoIncidentStore(dynamodbClient(), env.tableName()),
  clock: { now: () => new Date() },
  publicBaseUrl: env.publicBaseUrl(),
  rollups: awsRollups(),
  postmortems: new DynamoPostmortemStore(dynamodbClient(), env.tableName()),
  documents: new S3Documents(s3Client(), env.archiveBucket()),
  rawArchive: new S3RawArchive(s3Client(), env.archiveBucket()),
}));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
