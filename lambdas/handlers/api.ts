/**
 * Handler: the human API (`/api/...`, behind the bearer-token authorizer): list and read incidents with their
 * alerts, timeline and decision traces; acknowledge, resolve, notes, reassign, snooze, escalate-now; services;
 * who is on call and schedule overrides; ad-hoc maintenance windows.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { BadRequestError, InvalidPayloadError, NotFoundError } from '../core/errors';
import { actOnIncident, addNote } from '../core/incident-actions';
import { SEVERITIES } from '../core/model/alert';
import { INCIDENT_STATUSES } from '../core/model/incident';
import { parseWith } from '../core/normalize/shared';
import { ScheduleOverrideSchema, whoIsOnCall } from '../core/oncall/schedule';
import { signFeedToken } from '../core/notify/feed-links';
import { checkExpression } from '../core/rules/expressions';
import { once } from './shared/aws';
import { env } from './shared/env';
import { awsIncidentOperations, type IncidentOperationsDeps } from './shared/escalation';
import { randomUUID } from 'node:crypto';
import { API_MAX_BODY_BYTES } from './routes';
import { httpHandler, json, parseJson, readBody, type HttpEvent, type RouteHandlers } from './shared/http';

export interface ApiDeps extends IncidentOperationsDeps {
  /** Public base URL of the API, for calendar feed URLs. */
  publicBaseUrl: string;
  newId(): string;
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

const ReassignBodySchema = z.strictObject({ person: z.string().check(z.minLength(1), z.maxLength(64)), by: z.optional(z.string().check(z.maxLength(100))) });

const SnoozeBodySchema = z.strictObject({
  minutes: z.int().check(z.minimum(1), z.maximum(7 * 24 * 60)),
  by: z.optional(z.string().check(z.maxLength(100))),
});

const EscalateBodySchema = z.strictObject({ by: z.optional(z.string().check(z.maxLength(100))) });

const OverrideBodySchema = z.strictObject({
  person: z.string().check(z.minLength(1), z.maxLength(64)),
  start: z.string(),
  end: z.string(),
  reason: z.optional(z.string().check(z.maxLength(500))),
});

const MaintenanceBodySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  reason: z.optional(z.string().check(z.maxLength(200))),
  services: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(64))), []),
  when: z.optional(z.string().check(z.minLength(1), z.maxLength(4000))),
  /** Default: now. */
  start: z.optional(isoDate),
  /** Mandatory: a maintenance window always ends. */
  end: isoDate,
});

const OnCallQuerySchema = z.strictObject({ at: z.optional(isoDate) });

const MAX_API_BODY = API_MAX_BODY_BYTES;

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

  const routes: RouteHandlers = {
    'GET /api/incidents': async (event) => {
      const q = parseWith(ListQuerySchema, event.queryStringParameters ?? {});
      const limit = q.limit ?? 25;
      if (limit < 1 || limit > 100) throw new InvalidPayloadError([{ path: 'limit', message: 'must be between 1 and 100' }]);
      const [from, to] = [toIso(q.from), toIso(q.to)];
      if (from !== undefined && to !== undefined && from > to) {
        throw new InvalidPayloadError([{ path: 'from', message: `must not be later than to (from ${from}, to ${to})` }]);
      }
      let tag: { key: string; value: string | null } | undefined;
      if (q.tag) {
        const i = q.tag.indexOf(':');
        tag = i < 0 ? { key: q.tag, value: null } : { key: q.tag.slice(0, i), value: q.tag.slice(i + 1) };
      }
      const page = await deps.store.listIncidents({
        status: q.status, service: q.service, severity: q.severity, tag, from, to, limit, cursor: q.cursor,
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
    'POST /api/incidents/{id}/reassign': async (event) => {
      const body = bodyOf(event, ReassignBodySchema, false);
      if (!deps.config.people.some((p) => p.name === body.person)) {
        throw new InvalidPayloadError([{ path: 'person', message: `unknown person "${body.person}"` }]);
      }
      const inc = await actOnIncident(deps, incidentId(event), { kind: 'reassign', person: body.person }, actorOf(event, body.by));
      return json(200, { incident: publicIncident(inc) });
    },
    'POST /api/incidents/{id}/snooze': async (event) => {
      const body = bodyOf(event, SnoozeBodySchema, false);
      const until = new Date(deps.clock.now().getTime() + body.minutes * 60_000).toISOString();
      const inc = await actOnIncident(deps, incidentId(event), { kind: 'snooze', until }, actorOf(event, body.by));
      return json(200, { incident: publicIncident(inc) });
    },
    'POST /api/incidents/{id}/escalate': async (event) => {
      const body = bodyOf(event, EscalateBodySchema, true);
      const inc = await actOnIncident(deps, incidentId(event), { kind: 'escalate' }, actorOf(event, body.by));
      return json(200, { incident: publicIncident(inc) });
    },
    'GET /api/services': async () => {
      const teams = new Map(deps.config.teams.map((t) => [t.name, t]));
      return json(200, {
        services: deps.config.services.map((s) => ({
          name: s.name, team: s.team, description: s.description ?? null, runbookUrl: s.runbookUrl ?? null,
          dependsOn: s.dependsOn, escalationPolicy: s.escalationPolicy ?? null, teamMembers: teams.get(s.team)?.members ?? [],
        })),
      });
    },
    'GET /api/oncall': async (event) => {
      const q = parseWith(OnCallQuerySchema, event.queryStringParameters ?? {});
      const atMs = q.at ? Date.parse(q.at) : deps.clock.now().getTime();
      const overrides = (await Promise.all(deps.config.schedules.map((s) => deps.ops.listOverrides(s.name)))).flat();
      const [key] = await deps.linkKeys.tokens();
      return json(200, {
        at: new Date(atMs).toISOString(),
        schedules: whoIsOnCall(deps.config, atMs, overrides).map((entry) => ({
          ...entry,
          icalUrl: key ? `${deps.publicBaseUrl}/ical/${signFeedToken(entry.schedule, key)}` : null,
        })),
      });
    },
    'GET /api/schedules/{name}/overrides': async (event) => {
      const schedule = scheduleOf(event);
      return json(200, { overrides: await deps.ops.listOverrides(schedule) });
    },
    'POST /api/schedules/{name}/overrides': async (event) => {
      const schedule = scheduleOf(event);
      const body = bodyOf(event, OverrideBodySchema, false);
      if (!deps.config.people.some((p) => p.name === body.person)) {
        throw new InvalidPayloadError([{ path: 'person', message: `unknown person "${body.person}"` }]);
      }
      const id = deps.newId();
      const o = parseWith(ScheduleOverrideSchema, { id, schedule, ...body });
      const record = { ...o, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString(), createdBy: actorOf(event, undefined), createdAt: deps.clock.now().toISOString() };
      await deps.ops.putOverride(record);
      return json(201, { override: record });
    },
    'DELETE /api/schedules/{name}/overrides/{id}': async (event) => {
      const schedule = scheduleOf(event);
      if (!(await deps.ops.deleteOverride(schedule, event.pathParameters?.id ?? ''))) throw new NotFoundError('no such override');
      return json(200, { deleted: true });
    },
    'GET /api/maintenance': async () => {
      const now = deps.clock.now().toISOString();
      return json(200, {
        adHoc: await deps.ops.listMaintenance(now),
        configured: deps.config.maintenance,
      });
    },
    'POST /api/maintenance': async (event) => {
      const body = bodyOf(event, MaintenanceBodySchema, false);
      const now = deps.clock.now();
      const start = body.start ? new Date(body.start) : now;
      const end = new Date(body.end);
      if (end.getTime() <= start.getTime()) throw new InvalidPayloadError([{ path: 'end', message: 'must be after start' }]);
      if (end.getTime() <= now.getTime()) throw new InvalidPayloadError([{ path: 'end', message: 'must be in the future' }]);
      if (end.getTime() - start.getTime() > 7 * 24 * 3600 * 1000) throw new InvalidPayloadError([{ path: 'end', message: 'an ad-hoc window lasts at most 7 days' }]);
      if (body.services.length === 0 && body.when === undefined) {
        throw new InvalidPayloadError([{ path: 'services', message: 'a window covers services, a condition (when) or both' }]);
      }
      const known = new Set(deps.config.services.map((s) => s.name));
      body.services.forEach((s, i) => {
        if (!known.has(s)) throw new InvalidPayloadError([{ path: `services[${i}]`, message: `unknown service "${s}"` }]);
      });
      if (body.when !== undefined) {
        const problem = checkExpression(body.when, 'bool');
        if (problem) throw new InvalidPayloadError([{ path: 'when', message: `invalid expression: ${problem}` }]);
      }
      const record = {
        id: deps.newId(), name: body.name, ...(body.reason ? { reason: body.reason } : {}), services: body.services, when: body.when ?? null,
        start: start.toISOString(), end: end.toISOString(), createdBy: actorOf(event, undefined), createdAt: now.toISOString(),
      };
      await deps.ops.putMaintenance(record);
      return json(201, { maintenance: record });
    },
    'DELETE /api/maintenance/{id}': async (event) => {
      if (!(await deps.ops.deleteMaintenance(event.pathParameters?.id ?? ''))) throw new NotFoundError('no such maintenance window');
      return json(200, { deleted: true });
    },
  };

  function scheduleOf(event: HttpEvent): string {
    const name = event.pathParameters?.name ?? '';
    if (!deps.config.schedules.some((s) => s.name === name)) throw new NotFoundError(`no schedule ${name}`);
    return name;
  }

  return httpHandler(routes);
}

/** The incident as the API shows it: without the internal idempotency ring. */
function publicIncident(inc: import('../core/model/incident').Incident) {
  const { recentMessages: _r, ...rest } = inc;
  return rest;
}

const awsHandler = once(() => createApiHandler({ ...awsIncidentOperations(), publicBaseUrl: env.publicBaseUrl(), newId: randomUUID }));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
