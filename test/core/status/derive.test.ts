/** Component status derivation: incidents, dependencies, maintenance, overrides, and the why of each status. */
import type { Incident } from '../../../lambdas/core/model/incident';
import { deriveStatuses, type DeriveInput } from '../../../lambdas/core/status/derive';
import type { DependencyEdge } from '../../../lambdas/core/status/dependencies';
import type { StatusChange } from '../../../lambdas/core/status/model';
import { uptime, uptimeDays } from '../../../lambdas/core/status/uptime';

const NOW = new Date('2026-03-01T12:00:00.000Z');

export function openIncident(id: string, service: string, severity: 'sev1' | 'sev2' | 'sev3', status: Incident['status'] = 'triggered'): Incident {
  return { id, status, severity, openedAt: '2026-03-01T11:00:00.000Z', route: { service, team: null, escalationPolicy: null, rule: 'default' } } as Incident;
}

// checkout -> database (same), checkout -> payments-api (degrade), payments-api -> database (same), web -> checkout (none)
const EDGES: DependencyEdge[] = [
  { from: 'checkout', to: 'database', impact: 'same' },
  { from: 'checkout', to: 'payments-api', impact: 'degrade' },
  { from: 'payments-api', to: 'database', impact: 'same' },
  { from: 'web', to: 'checkout', impact: 'none' },
];

function derive(over: Partial<DeriveInput>) {
  const states = deriveStatuses({
    services: ['checkout', 'database', 'payments-api', 'web'],
    edges: EDGES,
    severityStatus: { sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded_performance' },
    countStatuses: ['triggered', 'acknowledged'],
    incidents: [],
    windows: [],
    overrides: [],
    now: NOW,
    ...over,
  });
  return Object.fromEntries([...states].map(([k, v]) => [k, v.status]));
}

const ovr = (service: string, status: 'major_outage' | 'operational' | 'degraded_performance', start: string, end: string) =>
  ({ id: `o-${service}`, service, status, start, end, createdBy: 'api', createdAt: start });

describe('deriveStatuses', () => {
  const cases: Array<[string, Partial<DeriveInput>, Record<string, string>]> = [
    ['nothing open: all operational', {}, { checkout: 'operational', database: 'operational', 'payments-api': 'operational', web: 'operational' }],
    ['sev1 on database: outage, same-impact dependents too, degrade edge caps, none edge stops',
      { incidents: [openIncident('i1', 'database', 'sev1')] },
      { database: 'major_outage', 'payments-api': 'major_outage', checkout: 'major_outage', web: 'operational' }],
    ['sev1 on payments-api: checkout at most degraded',
      { incidents: [openIncident('i1', 'payments-api', 'sev1')] },
      { database: 'operational', 'payments-api': 'major_outage', checkout: 'degraded_performance', web: 'operational' }],
    ['acknowledged counts like triggered',
      { incidents: [openIncident('i1', 'database', 'sev1', 'acknowledged')] },
      { database: 'major_outage', 'payments-api': 'major_outage', checkout: 'major_outage', web: 'operational' }],
    ['suppressed and resolved never count',
      { incidents: [openIncident('i1', 'database', 'sev1', 'suppressed'), openIncident('i2', 'checkout', 'sev1', 'resolved')] },
      { database: 'operational', 'payments-api': 'operational', checkout: 'operational', web: 'operational' }],
    ['countStatuses [triggered]: acknowledged does not count',
      { countStatuses: ['triggered'], incidents: [openIncident('i1', 'database', 'sev1', 'acknowledged')] },
      { database: 'operational', 'payments-api': 'operational', checkout: 'operational', web: 'operational' }],
    ['the worst of own incidents and dependencies',
      { incidents: [openIncident('i1', 'checkout', 'sev3'), openIncident('i2', 'database', 'sev2')] },
      { database: 'partial_outage', 'payments-api': 'partial_outage', checkout: 'partial_outage', web: 'operational' }],
    ['a public window in effect: under_maintenance, not propagated',
      { windows: [{ name: 'db-upgrade', services: ['database'], end: '2026-03-01T14:00:00.000Z' }], incidents: [openIncident('i1', 'database', 'sev1')] },
      { database: 'under_maintenance', 'payments-api': 'operational', checkout: 'operational', web: 'operational' }],
    ['an override in effect wins over incidents',
      { overrides: [ovr('database', 'operational', '2026-03-01T11:00:00.000Z', '2026-03-01T13:00:00.000Z')], incidents: [openIncident('i1', 'database', 'sev1')] },
      { database: 'operational', 'payments-api': 'operational', checkout: 'operational', web: 'operational' }],
    ['an expired override no longer counts',
      { overrides: [ovr('database', 'operational', '2026-03-01T10:00:00.000Z', '2026-03-01T12:00:00.000Z')], incidents: [openIncident('i1', 'database', 'sev1')] },
      { database: 'major_outage', 'payments-api': 'major_outage', checkout: 'major_outage', web: 'operational' }],
    ['an override propagates like any status',
      { overrides: [ovr('database', 'degraded_performance', '2026-03-01T11:00:00.000Z', '2026-03-01T13:00:00.000Z')] },
      { database: 'degraded_performance', 'payments-api': 'degraded_performance', checkout: 'degraded_performance', web: 'operational' }],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(derive(input)).toEqual(expected);
  });

  it('says why: the incidents, the dependency, the override, the window', () => {
    const states = deriveStatuses({
      services: ['checkout', 'database', 'payments-api', 'web'], edges: EDGES,
      severityStatus: { sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded_performance' }, countStatuses: ['triggered', 'acknowledged'],
      incidents: [openIncident('i1', 'database', 'sev1')],
      windows: [{ name: 'web-deploy', services: ['web'], end: '2026-03-01T13:00:00.000Z' }],
      overrides: [ovr('payments-api', 'degraded_performance', '2026-03-01T11:00:00.000Z', '2026-03-01T13:00:00.000Z')],
      now: NOW,
    });
    expect(states.get('database')?.why).toEqual([{ kind: 'incident', incidentId: 'i1', severity: 'sev1', incidentStatus: 'triggered', status: 'major_outage' }]);
    expect(states.get('checkout')?.why).toEqual([
      { kind: 'dependency', service: 'database', impact: 'same', dependencyStatus: 'major_outage', status: 'major_outage' },
      { kind: 'dependency', service: 'payments-api', impact: 'degrade', dependencyStatus: 'degraded_performance', status: 'degraded_performance' },
    ]);
    expect(states.get('payments-api')?.why).toEqual([{ kind: 'override', id: 'o-payments-api', status: 'degraded_performance', until: '2026-03-01T13:00:00.000Z', reason: null }]);
    expect(states.get('web')?.why).toEqual([{ kind: 'maintenance', name: 'web-deploy', until: '2026-03-01T13:00:00.000Z' }]);
  });

  it('terminates on a cycle (the config forbids them; the guard stays)', () => {
    const states = deriveStatuses({
      services: ['a', 'b'], edges: [{ from: 'a', to: 'b', impact: 'same' }, { from: 'b', to: 'a', impact: 'same' }],
      severityStatus: { sev1: 'major_outage', sev2: 'partial_outage', sev3: 'degraded_performance' }, countStatuses: ['triggered'],
      incidents: [openIncident('i1', 'a', 'sev2')], windows: [], overrides: [], now: NOW,
    });
    expect(states.get('a')?.status).toBe('partial_outage');
    expect(states.get('b')).toBeDefined();
  });
});

describe('uptime', () => {
  const h = (hour: number) => Date.parse(`2026-03-01T${String(hour).padStart(2, '0')}:00:00.000Z`);
  const changes: StatusChange[] = [
    { service: 'db', status: 'operational', at: '2026-03-01T00:00:00.000Z' },
    { service: 'db', status: 'major_outage', at: '2026-03-01T06:00:00.000Z' },
    { service: 'db', status: 'operational', at: '2026-03-01T07:00:00.000Z' },
    { service: 'db', status: 'under_maintenance', at: '2026-03-01T10:00:00.000Z' },
    { service: 'db', status: 'operational', at: '2026-03-01T12:00:00.000Z' },
  ];
  it('is the share of time operational, maintenance excluded', () => {
    // 12 h observed outside a 2 h window... 0-10 and 12-12: 10 h counted, 1 h down.
    expect(uptime(changes, h(0), h(12))).toBeCloseTo(9 / 10);
    // Only maintenance observed: no figure.
    expect(uptime(changes, h(10), h(12))).toBeNull();
    // Before the first record: no data, not downtime.
    expect(uptime(changes, h(0) - 3600_000 * 5, h(6))).toBe(1);
  });

  it('gives one bar per day with the worst status seen', () => {
    const days = uptimeDays(changes, new Date('2026-03-01T18:00:00.000Z'), 3);
    expect(days.map((d) => d.date)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(days[0]).toEqual({ date: '2026-02-27', uptime: null, worst: null });
    expect(days[2]?.worst).toBe('major_outage');
    expect(days[2]?.uptime).toBeCloseTo(15 / 16);
  });
});
