/**
 * Handler: the human API (`/api/...`, behind the bearer-token authorizer). One small router over the resource
 * modules of `api/` (incidents; services, on-call and schedules; maintenance; the status page; postmortems;
 * insights; alerts' raw payloads): a new resource is one module plus one line in API_RESOURCES (and its routes in
 * routes.ts).
 */
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { InvariantError } from '../core/errors';
import { meRoutes } from './api/me';
import { incidentRoutes } from './api/incidents';
import { insightsRoutes } from './api/insights';
import { maintenanceRoutes } from './api/maintenance';
import { oncallRoutes } from './api/oncall';
import { statusRoutes } from './api/status';
import { postmortemRoutes } from './api/postmortems';
import { rawPayloadRoutes } from './api/raw-payloads';
import { DynamoPostmortemStore } from '../adapters/dynamodb/postmortem-store';
import { S3Documents } from '../adapters/s3/s3-documents';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { DynamoStatusStore } from '../adapters/dynamodb/status-store';
import { guardRoute, type ApiDeps, type ApiResource } from './api/shared';
import { roleOf } from './routes';
import { dynamodbClient, once, s3Client } from './shared/aws';
import { env } from './shared/env';
import { awsIncidentOperations } from './shared/escalation';
import { awsRollups } from './shared/insights';
import { httpHandler, type HttpEvent, type RouteHandlers } from './shared/http';

export type { ApiDeps } from './api/shared';

/** The resources of the API, each a module of `api/`. */
export const API_RESOURCES: readonly ApiResource[] = [meRoutes, incidentRoutes, oncallRoutes, maintenanceRoutes, statusRoutes, postmortemRoutes, insightsRoutes, rawPayloadRoutes];

/**
 * The route table of all resources, each route behind the check of the role routes.ts declares for it (403 naming
 * the role); a route key declared twice, or without a role, is a programming error.
 */
export function apiRoutes(deps: ApiDeps, resources: readonly ApiResource[] = API_RESOURCES): RouteHandlers {
  const table: RouteHandlers = {};
  for (const resource of resources) {
    for (const [key, handle] of Object.entries(resource(deps))) {
      if (key in table) throw new InvariantError(`API route ${key} is declared by two resources`);
      const role = roleOf(key);
      if (!role) throw new InvariantError(`API route ${key} declares no role in routes.ts`);
      table[key] = guardRoute(handle, role, () => deps.config);
    }
  }
  return table;
}

export function createApiHandler(deps: ApiDeps) {
  const notifier = deps.statusNotifier;
  return httpHandler(apiRoutes(deps), { afterWrite: notifier ? () => notifier.statusMayHaveChanged('api') : undefined });
}

const awsHandler = once(() => createApiHandler({
  ...awsIncidentOperations(), publicBaseUrl: env.publicBaseUrl(), newId: randomUUID, status: new DynamoStatusStore(dynamodbClient(), env.tableName()),
  postmortems: new DynamoPostmortemStore(dynamodbClient(), env.tableName()),
  documents: new S3Documents(s3Client(), env.archiveBucket()),
  rollups: awsRollups(),
  rawArchive: new S3RawArchive(s3Client(), env.archiveBucket()),
}));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
