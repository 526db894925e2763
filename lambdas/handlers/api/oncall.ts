/** API resource: services, who is on call (with calendar feed URLs) and schedule overrides. */
import * as z from 'zod/mini';
import { NotFoundError } from '../../core/errors';
import { signFeedToken } from '../../core/notify/feed-links';
import { parseWith } from '../../core/normalize/shared';
import { requireKnownPerson } from '../../core/oncall/people';
import { ScheduleOverrideSchema, whoIsOnCall } from '../../core/oncall/schedule';
import { json, type HttpEvent } from '../shared/http';
import { actorOf, bodyOf, isoDate, type ApiDeps, type ApiResource } from './shared';

const OverrideBodySchema = z.strictObject({
  person: z.string().check(z.minLength(1), z.maxLength(64)),
  start: z.string(),
  end: z.string(),
  reason: z.optional(z.string().check(z.maxLength(500))),
});
const OnCallQuerySchema = z.strictObject({ at: z.optional(isoDate) });

/** What the services, on-call and schedule routes use. */
export type OncallApiDeps = Pick<ApiDeps, 'clock' | 'config' | 'linkKeys' | 'newId' | 'ops' | 'publicBaseUrl'>;

function scheduleOf(deps: OncallApiDeps, event: HttpEvent): string {
  const name = event.pathParameters?.name ?? '';
  if (!deps.config.schedules.some((s) => s.name === name)) throw new NotFoundError(`no schedule ${name}`);
  return name;
}

export const oncallRoutes: ApiResource<OncallApiDeps> = (deps) => ({
  'GET /api/services': async () => {
    const teams = new Map(deps.config.teams.map((t) => [t.name, t]));
    return json(200, {
      services: deps.config.services.map((s) => ({
        name: s.name, team: s.team, description: s.description ?? null, runbookUrl: s.runbookUrl ?? null,
        dependsOn: s.dependsOn.map((d) => (typeof d === 'string' ? d : d.service)), escalationPolicy: s.escalationPolicy ?? null, teamMembers: teams.get(s.team)?.members ?? [],
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
    const schedule = scheduleOf(deps, event);
    return json(200, { overrides: await deps.ops.listOverrides(schedule) });
  },
  'POST /api/schedules/{name}/overrides': async (event) => {
    const schedule = scheduleOf(deps, event);
    const body = bodyOf(event, OverrideBodySchema, false);
    requireKnownPerson(deps.config.people, body.person);
    const o = parseWith(ScheduleOverrideSchema, { id: deps.newId(), schedule, ...body });
    const record = {
      ...o, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString(),
      createdBy: actorOf(event, undefined), createdAt: deps.clock.now().toISOString(),
    };
    await deps.ops.putOverride(record);
    return json(201, { override: record });
  },
  'DELETE /api/schedules/{name}/overrides/{id}': async (event) => {
    const schedule = scheduleOf(deps, event);
    if (!(await deps.ops.deleteOverride(schedule, event.pathParameters?.id ?? ''))) throw new NotFoundError('no such override');
    return json(200, { deleted: true });
  },
});
