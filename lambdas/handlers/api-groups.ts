/**
 * The three API functions side by side (routes.ts names the function of each route): their resource lists and
 * handlers over one set of dependencies, for the local runtime and the tests. A deployed function imports only its
 * own entry (api.ts, api-reports.ts, api-admin.ts), never this file.
 */
import type { Context } from 'aws-lambda';
import { InvariantError } from '../core/errors';
import { ADMIN_RESOURCES, createApiAdminHandler } from './api-admin';
import { createApiReportsHandler, REPORT_RESOURCES } from './api-reports';
import { createApiHandler, INCIDENT_RESOURCES } from './api';
import { API_ROUTES, routeKeyOf, type ApiFunctionName } from './api-routes';
import type { ApiDeps, ApiResource } from './api/shared';
import type { HttpEvent, HttpResult } from './shared/http';

/** The resources of each API function. */
export const API_GROUPS: Record<ApiFunctionName, readonly ApiResource<ApiDeps>[]> = {
  api: INCIDENT_RESOURCES,
  apiReports: REPORT_RESOURCES,
  apiAdmin: ADMIN_RESOURCES,
};

export type ApiFunctionHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** The handler of each API function, all over the same dependencies. */
export function createApiHandlers(deps: ApiDeps): Record<ApiFunctionName, ApiFunctionHandler> {
  return { api: createApiHandler(deps), apiReports: createApiReportsHandler(deps), apiAdmin: createApiAdminHandler(deps) };
}

/** The whole API as one handler: each request goes to the function its route names, as API Gateway routes it. */
export function createWholeApiHandler(deps: ApiDeps): ApiFunctionHandler {
  const handlers = createApiHandlers(deps);
  const fnOf = new Map(API_ROUTES.map((r) => [routeKeyOf(r), r.fn]));
  return (event, context) => {
    const fn = fnOf.get(event.routeKey);
    if (fn !== 'api' && fn !== 'apiReports' && fn !== 'apiAdmin') throw new InvariantError(`no API function serves ${event.routeKey}`);
    return handlers[fn](event, context);
  };
}
