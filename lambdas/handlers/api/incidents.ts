/** API resource: incidents (list, read with alerts and timeline, acknowledge, resolve, notes, reassign, snooze, escalate). */
import { inhibitEdgesOfConfig } from '../../core/inhibition';
import * as z from 'zod/mini';
import { BadRequestError, InvalidPayloadError, NotFoundError } from '../../core/errors';
import { actOnIncident, addNote, type IncidentAction } from '../../core/incident-actions';
import { SEVERITIES } from '../../core/model/alert';
import { INCIDENT_STATUSES } from '../../core/model/incident';
import { SOURCE_NAMES } from '../../core/normalize/source-names';
import { parseWith } from '../../core/normalize/shared';
import { requireKnownPerson } from '../../core/oncall/people';
import { ruleBookOf } from '../../core/rules/rule-book';
import { withAlertId } from '../../core/raw-payload';
import { json, type HttpEvent } from '../shared/http';
import { actorOf, bodyOf, isoDate, publicIncident, type ApiDeps, type ApiResource } from './shared';

const ListQuerySchema = z.strictObject({
  status: z.optional(z.enum(INCIDENT_STATUSES)),
  service: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  team: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  source: z.optional(z.enum(SOURCE_NAMES)),
  severity: z.optional(z.enum(SEVERITIES)),
  tag: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  from: z.optional(isoDate),
  to: z.optional(isoDate),
  limit: z.optional(z.pipe(z.string().check(z.regex(/^\d+$/, 'expected a whole number')), z.transform(Number))),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});
const by = z.optional(z.string().check(z.maxLength(100)));
const ActionBodySchema = z.strictObject({
  by: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  note: z.optional(z.string().check(z.maxLength(2000))),
});
const NoteBodySchema = z.strictObject({
  by: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  text: z.string().check(z.minLength(1), z.maxLength(10000)),
});
const ReassignBodySchema = z.strictObject({ person: z.string().check(z.minLength(1), z.maxLength(64)), by });
const SnoozeBodySchema = z.strictObject({ minutes: z.int().check(z.minimum(1), z.maximum(7 * 24 * 60)), by });
const EscalateBodySchema = z.strictObject({ by });

const toIso = (s: string | undefined): string | undefined => (s === undefined ? undefined : new Date(s).toISOString());

function incidentId(event: HttpEvent): string {
  const id = event.pathParameters?.id;
  if (!id) throw new BadRequestError('missing incident id');
  return id;
}

function listFilter(query: HttpEvent['queryStringParameters']) {
  const q = parseWith(ListQuerySchema, query ?? {});
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
  return { status: q.status, service: q.service, team: q.team, source: q.source, severity: q.severity, tag, from, to, limit, cursor: q.cursor };
}

/** What the incident routes use. */
export type IncidentsApiDeps = Pick<ApiDeps, 'config' | 'store' | 'escalator' | 'clock'>;

async function act(deps: IncidentsApiDeps, event: HttpEvent, action: IncidentAction, by: string | undefined, note?: string) {
  // A resolve releases the pages it held on dependent services (core/inhibition.ts).
  const inc = await actOnIncident({ ...deps, inhibitEdges: inhibitEdgesOfConfig(deps.config) }, incidentId(event), action, actorOf(event, by), note);
  return json(200, { incident: publicIncident(inc) });
}

export const incidentRoutes: ApiResource<IncidentsApiDeps> = (deps) => ({
  'GET /api/incidents': async (event) => {
    const page = await deps.store.listIncidents(listFilter(event.queryStringParameters));
    return json(200, { incidents: page.items.map(publicIncident), nextCursor: page.cursor });
  },
  'GET /api/incidents/{id}': async (event) => {
    const id = incidentId(event);
    const incident = await deps.store.getIncident(id);
    if (!incident) throw new NotFoundError(`no incident ${id}`);
    const [alerts, timeline] = await Promise.all([deps.store.alerts(id), deps.store.timeline(id)]);
    // The rules in evaluation order, for the decision trace viewer (a trace names only the rule that matched).
    return json(200, { incident: publicIncident(incident), alerts: alerts.map(withAlertId), timeline, rules: ruleBookOf(deps.config) });
  },
  'POST /api/incidents/{id}/acknowledge': async (event) => {
    const body = bodyOf(event, ActionBodySchema, true);
    return act(deps, event, 'acknowledge', body.by, body.note);
  },
  'POST /api/incidents/{id}/resolve': async (event) => {
    const body = bodyOf(event, ActionBodySchema, true);
    return act(deps, event, 'resolve', body.by, body.note);
  },
  'POST /api/incidents/{id}/notes': async (event) => {
    const body = bodyOf(event, NoteBodySchema, false);
    const note = await addNote(deps, incidentId(event), actorOf(event, body.by), body.text);
    return json(201, { note });
  },
  'POST /api/incidents/{id}/reassign': async (event) => {
    const body = bodyOf(event, ReassignBodySchema, false);
    requireKnownPerson(deps.config.people, body.person);
    return act(deps, event, { kind: 'reassign', person: body.person }, body.by);
  },
  'POST /api/incidents/{id}/snooze': async (event) => {
    const body = bodyOf(event, SnoozeBodySchema, false);
    const until = new Date(deps.clock.now().getTime() + body.minutes * 60_000).toISOString();
    return act(deps, event, { kind: 'snooze', until }, body.by);
  },
  'POST /api/incidents/{id}/escalate': async (event) => {
    const body = bodyOf(event, EscalateBodySchema, true);
    return act(deps, event, { kind: 'escalate' }, body.by);
  },
});
