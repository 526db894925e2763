/**
 * API resource: the status page (docs/status-page.md). Reading needs the role viewer, every write admin (routes.ts). After every write `onStatusWrite` runs (locally: re-render the site).
 *   GET /api/status; POST /api/status/overrides, DELETE /api/status/overrides/{id};
 *   POST /api/status/incidents, POST /api/status/incidents/{id}/updates; GET /status/private (HTML, with the why)
 */
import * as z from 'zod/mini';
import { BadRequestError, NotFoundError } from '../../core/errors';
import type { StatusStore } from '../../core/ports';
import { COMPONENT_STATUSES, UPDATE_STATUSES } from '../../core/status/model';
import { addStatusUpdate, newStatusIncident, newStatusOverride } from '../../core/status/publish';
import { renderPrivatePage } from '../../core/status/render';
import { buildStatusSite, type StatusPageConfig } from '../../core/status/site';
import { json, type HttpEvent, type HttpResult } from '../shared/http';
import { actorOf, bodyOf, isoDate, type ApiDeps, type ApiResource } from './shared';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const by = z.optional(z.string().check(z.minLength(1), z.maxLength(100)));
const OverrideBody = z.strictObject({
  service: text(64), status: z.enum(COMPONENT_STATUSES), reason: z.optional(z.string().check(z.maxLength(500))), start: z.optional(isoDate), end: isoDate, by,
});
const IncidentBody = z.strictObject({
  title: text(200), components: z.array(text(64)).check(z.maxLength(50)), incidentIds: z._default(z.array(text(200)).check(z.maxLength(50)), []),
  status: z._default(z.enum(UPDATE_STATUSES), 'investigating'), message: text(5000), by,
});
const UpdateBody = z.strictObject({
  status: z.enum(UPDATE_STATUSES), message: text(5000), components: z.optional(z.array(text(64)).check(z.maxLength(50))),
  incidentIds: z.optional(z.array(text(200)).check(z.maxLength(50))), by,
});

/** What the status routes use. */
export type StatusApiDeps = Pick<ApiDeps, 'clock' | 'config' | 'newId' | 'onStatusWrite' | 'ops' | 'status' | 'store'>;

/** The status page config and store, or 404 when either is missing. */
function statusOf(deps: StatusApiDeps): { sp: StatusPageConfig; status: StatusStore } {
  if (!deps.config.statusPage || !deps.status) throw new NotFoundError('no status page is configured (statusPage in the pipeline config)');
  return { sp: deps.config.statusPage, status: deps.status };
}

async function checkIncidents(deps: StatusApiDeps, ids: readonly string[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    if (!(await deps.store.getIncident(id))) throw new BadRequestError(`incidentIds[${i}]: no incident ${id}`, { field: `incidentIds[${i}]` });
  }
}

async function siteInput(deps: StatusApiDeps) {
  const { status } = statusOf(deps);
  return (await buildStatusSite({ config: deps.config, store: deps.store, ops: deps.ops, status }, deps.clock.now()))!;
}

export const statusRoutes: ApiResource<StatusApiDeps> = (deps) => {
  const written = async (result: HttpResult): Promise<HttpResult> => {
    await deps.onStatusWrite?.();
    return result;
  };
  return {
    'GET /api/status': async () => {
      const input = await siteInput(deps);
      const overrides = await statusOf(deps).status.listStatusOverrides(input.now);
      const components = Object.values(input.states).map((s) => ({ ...s, since: input.since[s.service], uptime90: input.uptime90[s.service] }));
      return json(200, { components, overrides, incidents: input.statusIncidents, maintenances: input.maintenances });
    },
    'POST /api/status/overrides': async (event) => {
      const { sp, status } = statusOf(deps);
      const body = bodyOf(event, OverrideBody, false);
      const record = newStatusOverride(sp, { id: deps.newId(), ...body, by: actorOf(event, body.by) }, deps.clock.now().getTime());
      await status.putStatusOverride(record);
      return written(json(201, { override: record }));
    },
    'DELETE /api/status/overrides/{id}': async (event) => {
      if (!(await statusOf(deps).status.deleteStatusOverride(event.pathParameters?.id ?? ''))) throw new NotFoundError('no such status override');
      return written(json(200, { deleted: true }));
    },
    'POST /api/status/incidents': async (event) => {
      const { sp, status } = statusOf(deps);
      const body = bodyOf(event, IncidentBody, false);
      await checkIncidents(deps, body.incidentIds);
      const record = newStatusIncident(sp, { id: deps.newId(), updateId: deps.newId(), ...body, by: actorOf(event, body.by) }, deps.clock.now().toISOString());
      await status.putStatusIncident(record);
      return written(json(201, { incident: record }));
    },
    'POST /api/status/incidents/{id}/updates': async (event) => {
      const { sp, status } = statusOf(deps);
      const body = bodyOf(event, UpdateBody, false);
      const current = await status.getStatusIncident(event.pathParameters?.id ?? '');
      if (!current) throw new NotFoundError('no such status incident');
      if (body.incidentIds) await checkIncidents(deps, body.incidentIds);
      const record = addStatusUpdate(sp, current, { updateId: deps.newId(), ...body, by: actorOf(event, body.by) }, deps.clock.now().toISOString());
      await status.putStatusIncident(record);
      return written(json(200, { incident: record }));
    },
    'GET /status/private': async (event: HttpEvent) => {
      const html = renderPrivatePage(await siteInput(deps), event.queryStringParameters?.page);
      if (html === null) throw new NotFoundError('no such private status page');
      return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: html };
    },
  };
};
