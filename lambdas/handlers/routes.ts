/**
 * The public HTTP contract (README "HTTP contract"), written once: the CDK app creates these API Gateway routes and
 * the local runtime serves the same table. `fn` names the Lambda function (FUNCTIONS in functions.ts, with an `http`
 * trigger) that handles the route. The ingest routes come from the source registry (core/normalize/registry.ts).
 */
import { EVENTBRIDGE_INGEST_PATH, SOURCE_ROUTES } from '../core/normalize/registry';
import type { HttpFunctionName } from './functions';
import type { Role } from '../core/access/roles';

export type { HttpFunctionName };

/** How a route authenticates its caller. */
export type RouteAuth =
  | 'path-token' // the secret ingest token is in the path (compared in constant time)
  | 'sns-signature' // path token plus SNS message signature and topic allow-list
  | 'routing-key' // PagerDuty Events v2: the routing_key in the body is an ingest token
  | 'bearer' // the human API: Authorization: Bearer <token>
  | 'signed-link'; // one-click action links and calendar feeds: the HMAC-signed token in the path is the credential

interface RouteBase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  fn: HttpFunctionName;
}

/**
 * A route of the table. A `bearer` route names the role it needs (core/access/roles.ts): viewer for every GET,
 * responder for acting on incidents, admin for administration; the API's router checks it before the route runs
 * (403 naming the role).
 */
export type HttpRoute = RouteBase & ({ auth: 'bearer'; role: Role } | { auth: Exclude<RouteAuth, 'bearer'> });

const api = (method: RouteBase['method'], path: string, role: Role): HttpRoute => ({ method, path, fn: 'api', auth: 'bearer', role });

export const HTTP_ROUTES: readonly HttpRoute[] = [
  ...SOURCE_ROUTES.map(({ route }): HttpRoute => ({ method: 'POST', path: route.path, fn: 'ingestHttp', auth: route.auth as Exclude<RouteAuth, 'bearer'> })),
  { method: 'POST', path: EVENTBRIDGE_INGEST_PATH, fn: 'ingestHttp', auth: 'path-token' },
  api('GET', '/api/me', 'viewer'),
  api('GET', '/api/incidents', 'viewer'),
  api('GET', '/api/incidents/{id}', 'viewer'),
  // The raw delivery of an alert: viewer, like the incident it belongs to (the alert log already shows its fields).
  api('GET', '/api/incidents/{id}/alerts/{alertId}/raw', 'viewer'),
  api('POST', '/api/incidents/{id}/acknowledge', 'responder'),
  api('POST', '/api/incidents/{id}/resolve', 'responder'),
  api('POST', '/api/incidents/{id}/notes', 'responder'),
  api('POST', '/api/incidents/{id}/reassign', 'responder'),
  api('POST', '/api/incidents/{id}/snooze', 'responder'),
  api('POST', '/api/incidents/{id}/escalate', 'responder'),
  api('POST', '/api/incidents/{id}/postmortem', 'responder'),
  api('GET', '/api/incidents/{id}/postmortem', 'viewer'),
  api('PATCH', '/api/incidents/{id}/postmortem', 'responder'),
  api('POST', '/api/incidents/{id}/postmortem/publish', 'admin'),
  api('POST', '/api/incidents/{id}/postmortem/reopen', 'admin'),
  api('GET', '/api/postmortems', 'viewer'),
  api('GET', '/api/services', 'viewer'),
  api('GET', '/api/oncall', 'viewer'),
  api('GET', '/api/schedules/{name}/overrides', 'viewer'),
  api('POST', '/api/schedules/{name}/overrides', 'responder'),
  api('DELETE', '/api/schedules/{name}/overrides/{id}', 'responder'),
  api('GET', '/api/maintenance', 'viewer'),
  api('POST', '/api/maintenance', 'admin'),
  api('DELETE', '/api/maintenance/{id}', 'admin'),
  api('GET', '/api/status', 'viewer'),
  api('POST', '/api/status/overrides', 'admin'),
  api('DELETE', '/api/status/overrides/{id}', 'admin'),
  api('POST', '/api/status/incidents', 'admin'),
  api('POST', '/api/status/incidents/{id}/updates', 'admin'),
  api('GET', '/status/private', 'viewer'),
  api('GET', '/api/analytics', 'viewer'),
  api('GET', '/api/export', 'viewer'),
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

/** The role a route needs (null: not a bearer route). */
export function roleOf(routeKey: string): Role | null {
  const route = HTTP_ROUTES.find((r) => routeKeyOf(r) === routeKey);
  return route?.auth === 'bearer' ? route.role : null;
}

/** The routes a function serves. */
export function routesOf(fn: HttpFunctionName): HttpRoute[] {
  return HTTP_ROUTES.filter((r) => r.fn === fn);
}

/** The route key API Gateway puts in `event.routeKey`, e.g. `POST /ingest/threatstack/{token}`. */
export function routeKeyOf(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
