/**
 * Handler: the human API (`/api/...`, behind the bearer-token authorizer): list and read incidents with their
 * alerts, timeline and decision traces; acknowledge, resolve, add notes.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { BadRequestError, InvalidPayloadError, NotFoundError } from '../core/errors';
import { actOnIncident, addNote } from '../core/incident-actions';
import { SEVERITIES } from '../core/model/alert';
import { INCIDENT_STATUSES } from '../core/model/incident';
import { parseWith } from '../core/normalize/shared';
import type { Clock, Escalator, IncidentStore } from '../core/ports';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { dynamodbClient, once } from './shared/aws';
import { env } from './shared/env';
import { httpErrors, json, parseJson, readBody, type HttpEvent, type HttpResult } from './shared/http';

export interface ApiDeps {
  store: IncidentStore;
  escalator: Escalator;
  clock: Clock;
}

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date or time'));

const ListQuerySchema = z.strictObject({
  status: z.optional(z.enum(INCIDENT_STATUSES)),
  service: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  severity: z.optional(z.enum(SEVERITIES)),
  tag: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  from: z.optional(isoDate),
  to: z.optional(isoDate),
  limit: z.optional(z.pipe(z.string().check(z.regex(/^\d+$/, 'expected a whole number')), z.transform(Number))),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});

const ActionBodySchema = z.strictObject({
  by: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  note: z.optional(z.string().check(z.maxLength(2000))),
});

const NoteBodySchema = z.strictObject({
  by: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  text: z.string().check(z.minLength(1), z.maxLength(10000)),
});

const MAX_API_BODY = 64 * 1024;

function toIso(s: string | undefined): string | undefined {
  return s === undefined ? undefined : new Date(s).toISOString();
}

function bodyOf<S extends z.ZodMiniType>(event: HttpEvent, schema: S, optional: boolean): z.infer<S> {
  const text = readBody(event, MAX_API_BODY);
  if (text.trim() === '' && optional) return parseWith(schema, {});
  return parseWith(schema, parseJson(text));
}

function actorOf(event: HttpEvent, by: string | undefined): string {
  const principal = String(event.requestContext?.authorizer?.lambda?.principal ?? 'api');
  return by ? `${principal}:${by}` : principal;
}

export function createApiHandler(deps: ApiDeps) {
  const incidentId = (event: HttpEvent): string => {
    const id = event.pathParameters?.id;
    if (!id) throw new BadRequestError('missing incident id');
    return id;
  };

  const routes: Record<string, (event: HttpEvent) => Promise<HttpResult>> = {
    'GET /api/incidents': async (event) => {
      const q = parseWith(ListQuerySchema, event.queryStringParameters ?? {});
      const limit = q.limit ?? 25;
      if (limit < 1 || limit > 100) throw new InvalidPayloadError([{ path: 'limit', message: 'must be between 1 and 100' }]);
      let tag: { key: string; value: string | null } | undefined;
      if (q.tag) {
        const i = q.tag.indexOf(':');
        tag = i < 0 ? { key: q.tag, value: null } : { key: q.tag.slice(0, i), value: q.tag.slice(i + 1) };
      }
      const page = await deps.store.listIncidents({
        status: q.status, service: q.service, severity: q.severity, tag, from: toIso(q.from), to: toIso(q.to), limit, cursor: q.cursor,
      });
      return json(200, { incidents: page.items.map(publicIncident), nextCursor: page.cursor });
    },
    'GET /api/incidents/{id}': async (event) => {
      const id = incidentId(event);
      const incident = await deps.store.getIncident(id);
      if (!incident) throw new NotFoundError(`no incident ${id}`);
      const [alerts, timeline] = await Promise.all([deps.store.alerts(id), deps.store.timeline(id)]);
      return json(200, { incident: publicIncident(incident), alerts, timeline });
    },
    'POST /api/incidents/{id}/acknowledge': async (event) => {
      const body = bodyOf(event, ActionBodySchema, true);
      const inc = await actOnIncident(deps, incidentId(event), 'acknowledge', actorOf(event, body.by), body.note);
      return json(200, { incident: publicIncident(inc) });
    },
    'POST /api/incidents/{id}/resolve': async (event) => {
      const body = bodyOf(event, ActionBodySchema, true);
      const inc = await actOnIncident(deps, incidentId(event), 'resolve', actorOf(event, body.by), body.note);
      return json(200, { incident: publicIncident(inc) });
    },
    'POST /api/incidents/{id}/notes': async (event) => {
      const body = bodyOf(event, NoteBodySchema, false);
      const note = await addNote(deps, incidentId(event), actorOf(event, body.by), body.text);
      return json(201, { note });
    },
  };

  return middy<HttpEvent, HttpResult>(async (event: HttpEvent) => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`no route ${event.routeKey}`);
    return route(event);
  }).use(httpErrors());
}

/** The incident as the API shows it: without the internal idempotency ring. */
function publicIncident(inc: import('../core/model/incident').Incident) {
  const { recentMessages: _r, ...rest } = inc;
  return rest;
}

const awsHandler = once(() =>
  createApiHandler({
    store: new DynamoIncidentStore(dynamodbClient(), env.tableName()),
    escalator: { start: async () => {}, stop: async () => {} },
    clock: { now: () => new Date() },
  }),
);

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
