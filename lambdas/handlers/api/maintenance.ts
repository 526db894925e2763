/** API resource: ad-hoc maintenance windows (the rules a window must satisfy: core/rules/ad-hoc-maintenance.ts). */
import * as z from 'zod/mini';
import { NotFoundError } from '../../core/errors';
import { json } from '../shared/http';
import { actorOf, bodyOf, isoDate, type ApiDeps, type ApiResource } from './shared';

const MaintenanceBodySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  reason: z.optional(z.string().check(z.maxLength(200))),
  services: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(64))), []),
  when: z.optional(z.string().check(z.minLength(1), z.maxLength(4000))),
  /** Default: now. */
  start: z.optional(isoDate),
  /** Mandatory: a maintenance window always ends. */
  end: isoDate,
  /** Shown on the status page (announced, under_maintenance while it runs); default false. */
  public: z.optional(z.boolean()),
});

/**
 * The window check (core/rules/ad-hoc-maintenance.ts, which compiles `when` with CEL), loaded on the first
 * `POST /api/maintenance`: a dynamic `import()`, which esbuild bundles into the same file but evaluates only when
 * called, so the API's cold start does not evaluate CEL.
 */
const adHocMaintenance = () => import('../../core/rules/ad-hoc-maintenance');

export const maintenanceRoutes: ApiResource<Pick<ApiDeps, 'clock' | 'config' | 'newId' | 'onStatusWrite' | 'ops'>> = (deps) => ({
  'GET /api/maintenance': async () => {
    const now = deps.clock.now().toISOString();
    return json(200, { adHoc: await deps.ops.listMaintenance(now), configured: deps.config.maintenance });
  },
  'POST /api/maintenance': async (event) => {
    const body = bodyOf(event, MaintenanceBodySchema, false);
    const now = deps.clock.now();
    const { start, end } = (await adHocMaintenance()).checkAdHocWindow(body, now.getTime(), deps.config.services.map((s) => s.name));
    const record = {
      id: deps.newId(), name: body.name, ...(body.reason ? { reason: body.reason } : {}), services: body.services, when: body.when ?? null,
      start, end, ...(body.public ? { public: true } : {}), createdBy: actorOf(event, undefined), createdAt: now.toISOString(),
    };
    await deps.ops.putMaintenance(record);
    if (body.public) await deps.onStatusWrite?.();
    return json(201, { maintenance: record });
  },
  'DELETE /api/maintenance/{id}': async (event) => {
    if (!(await deps.ops.deleteMaintenance(event.pathParameters?.id ?? ''))) throw new NotFoundError('no such maintenance window');
    return json(200, { deleted: true });
  },
});
