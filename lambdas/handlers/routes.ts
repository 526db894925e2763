/**
 * The public HTTP contract (README "HTTP contract"), written once: the CDK app creates these API Gateway routes and
 * the local runtime serves the same table. `fn` names the Lambda function (FUNCTIONS in functions.ts, with an `http`
 * trigger) that handles the route. The ingest routes come from the source registry (core/normalize/registry.ts).
 */
import { EVENTBRIDGE_INGEST_PATH, SOURCE_ROUTES } from '../core/normalize/registry';
import { API_MAX_BODY_BYTES, API_ROUTES, type HttpFunctionName, type HttpRoute, type RouteAuth } from './api-routes';

export { API_MAX_BODY_BYTES, API_ROUTES, roleOf, routeKeyOf, type ApiFunctionName, type HttpFunctionName, type HttpRoute, type RouteAuth } from './api-routes';

export const HTTP_ROUTES: readonly HttpRoute[] = [
  ...SOURCE_ROUTES.map(({ route }): HttpRoute => ({ method: 'POST', path: route.path, fn: 'ingestHttp', auth: route.auth as Exclude<RouteAuth, 'bearer'> })),
  { method: 'POST', path: EVENTBRIDGE_INGEST_PATH, fn: 'ingestHttp', auth: 'path-token' },
  ...API_ROUTES,
];

/** Body limits (bytes): Threat Stack, SNS, Alertmanager and webhook bodies (README.md §HTTP contract). */
export const INGEST_MAX_BODY_BYTES = 1024 * 1024;
/** PagerDuty Events v2 payload limit. */
export const EVENTS_V2_MAX_BODY_BYTES = 512 * 1024;

/** The largest body a route accepts; the handler refuses more with 413 (and the local server while streaming). */
export function bodyLimitOf(route: HttpRoute): number {
  if (route.path === '/ingest/events/v2') return EVENTS_V2_MAX_BODY_BYTES;
  return route.fn === 'ingestHttp' ? INGEST_MAX_BODY_BYTES : API_MAX_BODY_BYTES;
}

/** The routes a function serves. */
export function routesOf(fn: HttpFunctionName): HttpRoute[] {
  return HTTP_ROUTES.filter((r) => r.fn === fn);
}
