/**
 * Handler: the human API's incident routes (`/api/me`, `/api/incidents...`: list, read, acknowledge, resolve, notes,
 * reassign, snooze, escalate), behind the bearer-token authorizer. The API is split by route group, one function each
 * (routes.ts `fn`), so a cold start loads only the group's own code and AWS clients: this one (DynamoDB, Step
 * Functions, the inline page and the status notifier over Lambda), `api-reports.ts` (S3) and `api-admin.ts`. Each
 * group is a list of resource modules of `api/` (a new resource is one module plus one line in its group's list and
 * its routes in api-routes.ts).
 */
import type { Context } from 'aws-lambda';
import { meRoutes } from './api/me';
import { incidentRoutes, type IncidentsApiDeps } from './api/incidents';
import { createApiFunctionHandler, type ApiResource } from './api/shared';
import { once } from './shared/aws';
import { awsIncidentActions } from './shared/escalation';
import type { HttpEvent } from './shared/http';
import type { StatusNotifier } from '../core/ports';

export type { ApiDeps } from './api/shared';

/** What the incident group's resources use (and the status notifier, told after every write). */
export type IncidentsGroupDeps = IncidentsApiDeps & { statusNotifier?: StatusNotifier };

/** The resources of this function. */
export const INCIDENT_RESOURCES: readonly ApiResource<IncidentsGroupDeps>[] = [meRoutes, incidentRoutes];

export function createApiHandler(deps: IncidentsGroupDeps) {
  return createApiFunctionHandler(deps, INCIDENT_RESOURCES);
}

const awsHandler = once(() => createApiHandler(awsIncidentActions()));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
