/**
 * The routes people call: the human API (`bearer`, each with the role it needs) and the one-click links
 * (`signed-link`). Part of the public HTTP contract of routes.ts, which adds the ingest routes of the source
 * registry; kept apart so the API functions read their routes and roles without importing the registry (its
 * normalizers and CEL would be in their bundles). `fn` names the function that serves the route: the API is split
 * by route group (incidents; reports: insights, export, postmortems, raw payloads; admin: services, on-call,
 * schedules, maintenance, status), each group one function with only its own AWS clients and grants.
 */
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

/** The functions that serve the human API, one per route group. */
export type ApiFunctionName = 'api' | 'apiReports' | 'apiAdmin';

const route = (fn: ApiFunctionName) => (method: RouteBase['method'], path: string, role: Role): HttpRoute => ({ method, path, fn, auth: 'bearer', role });
/** Incidents: list, read, act (DynamoDB, Step Functions, the inline page). */
const incidents = route('api');
/** Reports: insights, the export, postmortems, raw payloads (S3). */
const reports = route('apiReports');
/** Administration and configuration: services, on-call, schedule overrides, maintenance windows, the status page. */
const admin = route('apiAdmin');

export const API_ROUTES: readonly HttpRoute[] = [
  incidents('GET', '/api/me', 'viewer'),
  incidents('GET', '/api/incidents', 'viewer'),
  incidents('GET', '/api/incidents/{id}', 'viewer'),
  // The raw delivery of an alert: viewer, like the incident it belongs to (the alert log already shows its fields).
  reports('GET', '/api/incidents/{id}/alerts/{alertId}/raw', 'viewer'),
  incidents('POST', '/api/incidents/{id}/acknowledge', 'responder'),
  incidents('POST', '/api/incidents/{id}/resolve', 'responder'),
  incidents('POST', '/api/incidents/{id}/notes', 'responder'),
  incidents('POST', '/api/incidents/{id}/reassign', 'responder'),
  incidents('POST', '/api/incidents/{id}/snooze', 'responder'),
  incidents('POST', '/api/incidents/{id}/escalate', 'responder'),
  reports('POST', '/api/incidents/{id}/postmortem', 'responder'),
  reports('GET', '/api/incidents/{id}/postmortem', 'viewer'),
  reports('PATCH', '/api/incidents/{id}/postmortem', 'responder'),
  reports('POST', '/api/incidents/{id}/postmortem/publish', 'admin'),
  reports('POST', '/api/incidents/{id}/postmortem/reopen', 'admin'),
  reports('GET', '/api/postmortems', 'viewer'),
  admin('GET', '/api/services', 'viewer'),
  admin('GET', '/api/oncall', 'viewer'),
  admin('GET', '/api/schedules/{name}/overrides', 'viewer'),
  admin('POST', '/api/schedules/{name}/overrides', 'responder'),
  admin('DELETE', '/api/schedules/{name}/overrides/{id}', 'responder'),
  admin('GET', '/api/maintenance', 'viewer'),
  admin('POST', '/api/maintenance', 'admin'),
  admin('DELETE', '/api/maintenance/{id}', 'admin'),
  admin('GET', '/api/status', 'viewer'),
  admin('POST', '/api/status/overrides', 'admin'),
  admin('DELETE', '/api/status/overrides/{id}', 'admin'),
  admin('POST', '/api/status/incidents', 'admin'),
  admin('POST', '/api/status/incidents/{id}/updates', 'admin'),
  admin('GET', '/status/private', 'viewer'),
  reports('GET', '/api/analytics', 'viewer'),
  reports('GET', '/api/export', 'viewer'),
  { method: 'GET', path: '/act/{token}', fn: 'act', auth: 'signed-link' },
  { method: 'POST', path: '/act/{token}', fn: 'act', auth: 'signed-link' },
  { method: 'GET', path: '/ical/{token}', fn: 'act', auth: 'signed-link' },
];

/** Bodies of the human API and of the one-click links. */
export const API_MAX_BODY_BYTES = 64 * 1024;

/** The route key API Gateway puts in `event.routeKey`, e.g. `POST /ingest/threatstack/{token}`. */
export function routeKeyOf(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** The role a route needs (null: not a bearer route). */
export function roleOf(routeKey: string): Role | null {
  const route = API_ROUTES.find((r) => routeKeyOf(r) === routeKey);
  return route?.auth === 'bearer' ? route.role : null;
}
