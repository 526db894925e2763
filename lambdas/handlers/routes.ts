/**
 * The public HTTP contract (README "HTTP contract"), written once: the CDK app creates these API Gateway routes and
 * the local runtime serves the same table. `fn` names the Lambda function (FUNCTIONS in functions.ts, with an `http`
 * trigger) that handles the route. The ingest routes come from the source registry (core/normalize/registry.ts).
 */
import { EVENTBRIDGE_INGEST_PATH, SOURCE_ROUTES } from '../core/normalize/registry';
import type { HttpFunctionName } from './functions';

export type { HttpFunctionName };

/** How a route authenticates its caller. */
export type RouteAuth =
  | 'path-token' // the secret ingest token is in the path (compared in constant time)
  | 'sns-signature' // path token plus SNS message signature and topic allow-list
  | 'routing-key' // PagerDuty Events v2: the routing_key in the body is an ingest token
  | 'bearer' // the human API: Authorization: Bearer <token>
  | 'signed-link'; // one-click action links and calendar feeds: the HMAC-signed token in the path is the credential

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  fn: HttpFunctionName;
  auth: RouteAuth;
}

export const HTTP_ROUTES: readonly HttpRoute[] = [
  ...SOURCE_ROUTES.map(({ route }): HttpRoute => ({ method: 'POST', path: route.path, fn: 'ingestHttp', auth: route.auth })),
  { method: 'POST', path: EVENTBRIDGE_INGEST_PATH, fn: 'ingestHttp', auth: 'path-token' },
  { method: 'GET', path: '/api/incidents', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/incidents/{id}', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/acknowledge', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/resolve', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/notes', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/reassign', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/snooze', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/escalate', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/postmortem', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/incidents/{id}/postmortem', fn: 'api', auth: 'bearer' },
  { method: 'PATCH', path: '/api/incidents/{id}/postmortem', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/postmortem/publish', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/incidents/{id}/postmortem/reopen', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/services', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/oncall', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/schedules/{name}/overrides', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/schedules/{name}/overrides', fn: 'api', auth: 'bearer' },
  { method: 'DELETE', path: '/api/schedules/{name}/overrides/{id}', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/maintenance', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/maintenance', fn: 'api', auth: 'bearer' },
  { method: 'DELETE', path: '/api/maintenance/{id}', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/status', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/status/overrides', fn: 'api', auth: 'bearer' },
  { method: 'DELETE', path: '/api/status/overrides/{id}', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/status/incidents', fn: 'api', auth: 'bearer' },
  { method: 'POST', path: '/api/status/incidents/{id}/updates', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/status/private', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/analytics', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/api/export', fn: 'api', auth: 'bearer' },
  { method: 'GET', path: '/act/{token}', fn: 'act', auth: 'signed-link' },
  { method: 'POST', path: '/act/{token}', fn: 'act', auth: 'signed-link' },
  { method: 'GET', path: '/ical/{token}', fn: 'act', auth: 'signed-link' },
];

/** Body limits (bytes): Threat Stack, SNS, Alertmanager and webhook bodies (README.md §HTTP contract). */
export const INGEST_MAX_BODY_BYTES = 1024 * 1024;
/** PagerDuty Events v2 payload limit. */
export const EVENTS_V2_MAX_BODY_BYTES = 512 * 1024;
/** Bodies of the human API and of the one-click links. */
export const API_MAX_BODY_BYTES = 64 * 1024;

/** The largest body a route accepts; the handler refuses more with 413 (and the local server while streaming). */
export function bodyLimitOf(route: HttpRoute): number {
  if (route.path === '/ingest/events/v2') return EVENTS_V2_MAX_BODY_BYTES;
  return route.fn === 'ingestHttp' ? INGEST_MAX_BODY_BYTES : API_MAX_BODY_BYTES;
}

/** The routes a function serves. */
export function routesOf(fn: HttpFunctionName): HttpRoute[] {
  return HTTP_ROUTES.filter((r) => r.fn === fn);
}

/** The route key API Gateway puts in `event.routeKey`, e.g. `POST /ingest/threatstack/{token}`. */
export function routeKeyOf(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
