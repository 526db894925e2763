/**
 * The status site over in-memory stores: the done-when cases (sev1 -> major_outage and a dependent degraded, ack
 * changes nothing, resolve returns both, a public window -> under_maintenance and excluded from uptime, an override
 * wins until it expires), status.json against a zod schema of Statuspage's summary shape, the Atom feed parsed by
 * a maintained feed parser, and nothing internal on the public files.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import * as z from 'zod';
import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../../lambdas/adapters/in-memory/operations-store';
import { InMemoryStatusStore } from '../../../lambdas/adapters/in-memory/status-store';
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import type { Incident } from '../../../lambdas/core/model/incident';
import { renderPrivatePage, renderStatusSite, STATUS_FILES } from '../../../lambdas/core/status/render';
import { buildStatusSite, type StatusSiteDeps } from '../../../lambdas/core/status/site';

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'payments' }],
  services: [
    { name: 'checkout', team: 'payments', dependsOn: [{ service: 'database', impact: 'degrade' }] },
    { name: 'database', team: 'payments' },
  ],
  routing: { default: { service: 'checkout' } },
  maintenance: [{ name: 'db-upgrade', reason: 'Database version upgrade', services: ['database'], start: '2026-03-02T02:00:00Z', end: '2026-03-02T04:00:00Z', public: true }],
  statusPage: {
    title: 'Example Corp status',
    groups: [{ name: 'core', displayName: 'Core services' }],
    components: [{ service: 'checkout', displayName: 'Checkout', group: 'core' }, { service: 'database', displayName: 'Database', group: 'core' }],
    pages: [
      { name: 'public', visibility: 'public', components: ['checkout', 'database'] },
      { name: 'internal', title: 'Internal status', visibility: 'private', components: ['checkout', 'database'] },
    ],
  },
});

const INTERNAL = { host: 'db-primary-7.internal.example.net', ip: '10.42.7.19', person: 'alice' };

function incident(status: Incident['status']): Incident {
  return {
    id: 'inc-db-1', status, severity: 'sev1', openedAt: '2026-03-01T11:00:00.000Z', title: `Connection refused on ${INTERNAL.host} (${INTERNAL.ip})`,
    description: `payload: host=${INTERNAL.host} ip=${INTERNAL.ip}`, tags: {}, resource: INTERNAL.host, acknowledgedBy: status === 'acknowledged' ? INTERNAL.person : null,
    route: { service: 'database', team: 'payments', escalationPolicy: null, rule: 'default' },
  } as Incident;
}

function setup() {
  const store = new InMemoryIncidentStore();
  const status = new InMemoryStatusStore();
  const ops = new InMemoryOperationsStore();
  const deps: StatusSiteDeps = { config, store, status, ops, pageUrl: 'https://status.example.com/status' };
  const statuses = async (at: string) => {
    const input = (await buildStatusSite(deps, new Date(at)))!;
    return { checkout: input.states.checkout!.status, database: input.states.database!.status, input };
  };
  return { store, status, ops, deps, statuses };
}

const componentSchema = z.object({
  id: z.string(), name: z.string(), status: z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']),
  created_at: z.string(), updated_at: z.string(), position: z.number(), description: z.string().nullable(), showcase: z.boolean(),
  start_date: z.string().nullable(), group_id: z.string().nullable(), page_id: z.string(), group: z.boolean(), only_show_if_degraded: z.boolean(),
  components: z.array(z.string()).optional(),
});
const updateSchema = z.object({ id: z.string(), status: z.string(), body: z.string(), incident_id: z.string(), created_at: z.string(), updated_at: z.string(), display_at: z.string(), affected_components: z.unknown() });
const incidentSchema = z.object({
  id: z.string(), name: z.string(), status: z.string(), created_at: z.string(), updated_at: z.string(), monitoring_at: z.string().nullable(),
  resolved_at: z.string().nullable(), impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']), shortlink: z.string(), started_at: z.string(),
  page_id: z.string(), incident_updates: z.array(updateSchema), components: z.array(componentSchema),
});
/** Statuspage's /api/v2/summary.json. */
const summarySchema = z.object({
  page: z.object({ id: z.string(), name: z.string(), url: z.string(), time_zone: z.string(), updated_at: z.string() }),
  status: z.object({ indicator: z.enum(['none', 'minor', 'major', 'critical']), description: z.string() }),
  components: z.array(componentSchema),
  incidents: z.array(incidentSchema),
  scheduled_maintenances: z.array(incidentSchema.extend({ status: z.enum(['scheduled', 'in_progress', 'verifying', 'completed']), scheduled_for: z.string(), scheduled_until: z.string() })),
});

describe('status site', () => {
  it('sev1 on database: major_outage and its dependent degraded; ack changes nothing; resolve returns both', async () => {
    const { store, statuses } = setup();
    expect(await statuses('2026-03-01T10:00:00.000Z')).toMatchObject({ checkout: 'operational', database: 'operational' });
    store.incidents.set('inc-db-1', incident('triggered'));
    expect(await statuses('2026-03-01T11:00:00.000Z')).toMatchObject({ checkout: 'degraded_performance', database: 'major_outage' });
    store.incidents.set('inc-db-1', incident('acknowledged'));
    expect(await statuses('2026-03-01T11:10:00.000Z')).toMatchObject({ checkout: 'degraded_performance', database: 'major_outage' });
    store.incidents.set('inc-db-1', incident('resolved'));
    const after = await statuses('2026-03-01T12:00:00.000Z');
    expect(after).toMatchObject({ checkout: 'operational', database: 'operational' });
    // Recorded: 1 h of outage in 2 h observed.
    expect(after.input.uptime90.database).toBeCloseTo(0.5);
  });

  it('a public window: under_maintenance, announced in advance, excluded from uptime', async () => {
    const { statuses } = setup();
    const before = await statuses('2026-03-01T20:00:00.000Z');
    expect(before.input.maintenances).toEqual([expect.objectContaining({ name: 'db-upgrade', inProgress: false, start: '2026-03-02T02:00:00.000Z' })]);
    expect(await statuses('2026-03-02T03:00:00.000Z')).toMatchObject({ database: 'under_maintenance', checkout: 'operational' });
    const after = await statuses('2026-03-02T06:00:00.000Z');
    expect(after.database).toBe('operational');
    expect(after.input.uptime90.database).toBe(1);
  });

  it('an ad-hoc window shows only when created public', async () => {
    const { ops, statuses } = setup();
    const w = { id: 'w1', name: 'hotfix', services: ['checkout'], when: null, start: '2026-03-01T09:00:00.000Z', end: '2026-03-01T11:00:00.000Z', createdBy: 'api', createdAt: '2026-03-01T08:00:00.000Z' };
    await ops.putMaintenance(w);
    expect((await statuses('2026-03-01T10:00:00.000Z')).checkout).toBe('operational');
    await ops.putMaintenance({ ...w, public: true });
    expect((await statuses('2026-03-01T10:01:00.000Z')).checkout).toBe('under_maintenance');
  });

  it('an override wins until it expires', async () => {
    const { store, status, statuses } = setup();
    store.incidents.set('inc-db-1', incident('triggered'));
    await status.putStatusOverride({ id: 'o1', service: 'database', status: 'operational', reason: 'false alarm', start: '2026-03-01T11:00:00.000Z', end: '2026-03-01T12:00:00.000Z', createdBy: 'api', createdAt: '2026-03-01T11:00:00.000Z' });
    expect(await statuses('2026-03-01T11:30:00.000Z')).toMatchObject({ checkout: 'operational', database: 'operational' });
    expect(await statuses('2026-03-01T12:00:00.000Z')).toMatchObject({ checkout: 'degraded_performance', database: 'major_outage' });
  });

  it('renders status.json in the summary shape, a parseable Atom feed, and nothing internal', async () => {
    const { store, status, deps } = setup();
    store.incidents.set('inc-db-1', incident('acknowledged'));
    await status.putStatusIncident({
      id: 's1', title: 'Checkout is slow', components: ['checkout', 'database'], incidentIds: ['inc-db-1'], status: 'identified',
      createdAt: '2026-03-01T11:05:00.000Z', updatedAt: '2026-03-01T11:20:00.000Z', resolvedAt: null,
      updates: [
        { id: 'u1', status: 'investigating', message: 'We are looking into slow checkouts.', at: '2026-03-01T11:05:00.000Z', by: INTERNAL.person },
        { id: 'u2', status: 'identified', message: 'A database problem; a fix is under way.', at: '2026-03-01T11:20:00.000Z', by: INTERNAL.person },
      ],
    });
    const input = (await buildStatusSite(deps, new Date('2026-03-01T20:00:00.000Z')))!;
    const files = renderStatusSite(input);
    expect(files.map((f) => f.path)).toEqual([STATUS_FILES.html, STATUS_FILES.json, STATUS_FILES.feed]);
    const json = JSON.parse(files[1]!.body);
    summarySchema.parse(json);
    expect(json.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(json.components.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([['checkout', 'degraded_performance'], ['database', 'major_outage'], ['core', 'major_outage']]);
    expect(json.incidents[0].incident_updates.map((u: { status: string }) => u.status)).toEqual(['identified', 'investigating']);
    expect(json.scheduled_maintenances[0]).toMatchObject({ name: 'db-upgrade', status: 'scheduled', scheduled_for: '2026-03-02T02:00:00.000Z' });

    const feed = parseFeed(files[2]!.body);
    expect(feed.items.map((i) => i.title)).toEqual(expect.arrayContaining(['Checkout is slow: identified', 'Checkout is slow: investigating']));
    expect(feed.items.find((i) => i.title === 'Checkout is slow: identified')?.content).toContain('a fix is under way');

    const html = files[0]!.body;
    expect(html).toContain('data-component="database" data-status="major_outage"');
    expect(html).toContain('<meta http-equiv="refresh"');
    for (const f of files) {
      for (const secret of [INTERNAL.host, INTERNAL.ip, 'inc-db-1', 'Connection refused', `by ${INTERNAL.person}`, '"alice"']) expect(f.body).not.toContain(secret);
    }
    // The private page says why.
    const priv = renderPrivatePage(input)!;
    expect(priv).toContain('Incident inc-db-1 (sev1, acknowledged)');
    expect(priv).toContain('Depends on Database [database]');
    expect(priv).toContain(`by ${INTERNAL.person}`);
  });

  it('escapes what it prints', async () => {
    const { status, deps } = setup();
    await status.putStatusIncident({
      id: 's2', title: '<script>alert(1)</script>', components: ['checkout'], incidentIds: [], status: 'investigating',
      createdAt: '2026-03-01T11:05:00.000Z', updatedAt: '2026-03-01T11:05:00.000Z', resolvedAt: null,
      updates: [{ id: 'u1', status: 'investigating', message: '<img src=x onerror=alert(1)>', at: '2026-03-01T11:05:00.000Z', by: 'x' }],
    });
    const html = renderStatusSite((await buildStatusSite(deps, new Date('2026-03-01T12:00:00.000Z')))!)[0]!.body;
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;');
  });
});
