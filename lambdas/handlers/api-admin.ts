/**
 * Handler: the human API's administration and configuration routes (services, who is on call, schedule overrides,
 * maintenance windows, the status page), behind the bearer-token authorizer. One of the three API functions (api.ts):
 * DynamoDB, the link key (calendar feed URLs) and the status notifier; CEL only on a new maintenance window.
 */
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { maintenanceRoutes } from './api/maintenance';
import { oncallRoutes, type OncallApiDeps } from './api/oncall';
import { statusRoutes, type StatusApiDeps } from './api/status';
import { createApiFunctionHandler, type ApiDeps, type ApiResource } from './api/shared';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { DynamoStatusStore } from '../adapters/dynamodb/status-store';
import { dynamodbClient, once } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { awsLinkKeys } from './shared/link-keys';
import { awsStatusNotifier } from './shared/status-notifier';
import type { HttpEvent } from './shared/http';

/** What the administration resources use. */
export type AdminGroupDeps = OncallApiDeps & StatusApiDeps & Pick<ApiDeps, 'statusNotifier'>;

/** The resources of this function. */
export const ADMIN_RESOURCES: readonly ApiResource<AdminGroupDeps>[] = [oncallRoutes, maintenanceRoutes, statusRoutes];

export function createApiAdminHandler(deps: AdminGroupDeps) {
  return createApiFunctionHandler(deps, ADMIN_RESOURCES);
}

const awsHandler = once(() => createApiAdminHandler({
  config: deployedConfig(),
  store: new DynamoIncidentStore(dynamodbClient(), env.tableName()),
  ops: new DynamoOperationsStore(dynamodbClient(), env.tableName()),
  status: new DynamoStatusStore(dynamodbClient(), env.tableName()),
  linkKeys: awsLinkKeys(),
  clock: { now: () => new Date() },
  publicBaseUrl: env.publicBaseUrl(),
  newId: randomUUID,
  statusNotifier: awsStatusNotifier(),
}));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
