import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import type { PipelineConfig } from '../../../lambdas/core/config/pipeline-config.schema';
import type { Incident } from '../../../lambdas/core/model/incident';
import type { Fingerprint } from '../../../lambdas/core/fingerprint';
import { needsExecution, planEscalation, stepAt, stepCount, type EscalationPlan } from '../../../lambdas/core/escalation/plan';
import { deliveriesFor, recipientsFor, type Recipient } from '../../../lambdas/core/escalation/recipients';
import type { ScheduleOverride } from '../../../lambdas/core/oncall/schedule';

const NOW = '2024-06-10T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);

function makeConfig(): PipelineConfig {
  return parsePipelineConfig({
    version: 1,
    people: [
      { name: 'alice', displayName: 'Alice', contacts: [{ type: 'email', address: 'alice@example.com' }, { type: 'sms', number: '+14155550100' }], channels: ['alice-slack'] },
      { name: 'bob', contacts: [{ type: 'email', address: 'bob@example.com' }] },
      { name: 'carol', contacts: [{ type: 'sms', number: '+14155550101' }] },
      { name: 'dave' },
    ],
    teams: [
      { name: 'platform', members: ['alice', 'bob'], channels: ['platform-slack'] },
      { name: 'nobody-team' },
    ],
    channels: [
      { name: 'sms-out', type: 'sms' },
      { name: 'platform-slack', type: 'slack', secret: 'slack/platform' },
      { name: 'alice-slack', type: 'slack', secret: 'slack/alice' },
      { name: 'hook', type: 'webhook', secret: 'webhook/ops' },
      { name: 'mail', type: 'email' },
      { name: 'mail-2', type: 'email' },
    ],
    schedules: [
      { name: 'primary', timezone: 'Europe/Berlin', layers: [{ name: 'daily', members: ['alice', 'bob'], rotation: 'daily', start: '2024-01-01T09:00' }] },
      { name: 'future', timezone: 'Europe/Berlin', layers: [{ name: 'daily', members: ['carol'], rotation: 'daily', start: '2030-01-01T09:00' }] },
    ],
    escalationPolicies: [
      {
        name: 'standard',
        levels: [
          { targets: [{ schedule: 'primary' }], escalateAfterMinutes: 10 },
          { targets: [{ team: 'platform' }], escalateAfterMinutes: 20 },
        ],
        repeat: 1,
      },
      { name: 'critical', levels: [{ targets: [{ person: 'alice' }, { person: 'bob' }, { person: 'carol' }], roundRobin: true, escalateAfterMinutes: 5 }], repeat: 3 },
      { name: 'single', levels: [{ targets: [{ channel: 'hook' }] }] },
    ],
    services: [
      { name: 'checkout', team: 'platform', escalationPolicy: { sev1: 'critical', default: 'standard' } },
      { name: 'billing', team: 'platform', escalationPolicy: 'standard' },
      { name: 'reports', team: 'platform', escalationPolicy: { sev1: 'critical' } },
      { name: 'legacy', team: 'platform' },
    ],
    routing: { default: { service: 'legacy' } },
  });
}

/** An incident with the fields planning reads (cast: the model grows fields this test does not need). */
function incident(over: { service?: string; policy?: string | null; severity?: Incident['severity']; status?: Incident['status'] } = {}): Incident {
  const summary = { deliveryKey: 'd1', title: 'ALARM: checkout-5xx', action: 'trigger' as const, occurredAt: NOW, receivedAt: NOW };
  const fields: Partial<Incident> = {
    id: 'inc-0123456789abcdef0123-1',
    fingerprint: '0123456789abcdef0123' as unknown as Fingerprint,
    seq: 1,
    status: over.status ?? 'triggered',
    version: 1,
    title: 'ALARM: checkout-5xx',
    description: 'Threshold crossed',
    source: 'cloudwatch',
    severity: over.severity ?? 'sev2',
    tags: {},
    route: { service: over.service ?? 'checkout', team: 'platform', escalationPolicy: over.policy ?? null, rule: 'default' },
    alertUrl: null,
    resource: null,
    openedAt: NOW,
    lastSeenAt: NOW,
    updatedAt: NOW,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    suppressionReason: null,
    escalation: 'pending',
    alertCount: 1,
    alertsLogged: 1,
    firstAlert: summary,
    lastAlert: summary,
    recentMessages: [],
  };
  return fields as Incident;
}

describe('planEscalation', () => {
  it.each([
    ['the route names a policy', { policy: 'single' }, 'single', 'policy-from-route'],
    ['the route wins over the service', { service: 'billing', policy: 'single' }, 'single', 'policy-from-route'],
    ['the service names one policy', { service: 'billing' }, 'standard', 'policy-from-service'],
    ['the service maps sev1 to its own policy', { service: 'checkout', severity: 'sev1' }, 'critical', 'policy-from-service-severity'],
    ['the service falls back to its default for sev2', { service: 'checkout', severity: 'sev2' }, 'standard', 'policy-from-service-severity'],
    ['a per-severity map without default and no match', { service: 'reports', severity: 'sev3' }, null, 'no-escalation-policy'],
    ['no policy anywhere', { service: 'legacy' }, null, 'no-escalation-policy'],
    ['a service that is no longer configured', { service: 'gone' }, null, 'no-escalation-policy'],
    ['a policy name missing from the config', { policy: 'default' }, null, 'unknown-escalation-policy'],
    ['an acknowledged incident', { policy: 'single', status: 'acknowledged' }, null, 'incident-not-triggered'],
    ['a suppressed incident', { policy: 'single', status: 'suppressed' }, null, 'incident-not-triggered'],
  ] as const)('%s', (_name, over, policy, reason) => {
    const decision = planEscalation(makeConfig(), incident(over), null, NOW);
    expect(decision.plan?.policy ?? null).toBe(policy);
    expect(decision.reason).toBe(reason);
    expect(decision.message.length).toBeGreaterThan(10);
  });

  it('copies levels, waits, repeat and hold into the plan', () => {
    const { plan } = planEscalation(makeConfig(), incident({ service: 'billing' }), 3, NOW);
    expect(plan).toEqual({
      incidentId: 'inc-0123456789abcdef0123-1',
      policy: 'standard',
      holdSeconds: 180,
      levels: [
        { targets: [{ schedule: 'primary' }], waitSeconds: 600, roundRobin: false },
        { targets: [{ team: 'platform' }], waitSeconds: 1200, roundRobin: false },
      ],
      repeat: 1,
      frozenAt: NOW,
    });
  });

  it('is frozen: changing the config afterwards does not change the plan', () => {
    const config = makeConfig();
    const { plan } = planEscalation(config, incident({ service: 'billing' }), null, NOW);
    const before = structuredClone(plan);
    const policy = config.escalationPolicies.find((p) => p.name === 'standard')!;
    policy.levels[0]!.targets[0] = { person: 'dave' };
    policy.levels[0]!.escalateAfterMinutes = 1;
    policy.levels.push({ targets: [{ channel: 'hook' }], escalateAfterMinutes: 1, roundRobin: false });
    policy.repeat = 5;
    config.escalationPolicies.splice(0, config.escalationPolicies.length);
    expect(plan).toEqual(before);
    expect(stepAt(plan!, 0)).toEqual({ kind: 'page', level: 0, round: 0, targets: [{ schedule: 'primary' }], waitSeconds: 600 });
  });

  it('cannot be changed through the plan either (deeply frozen)', () => {
    const { plan } = planEscalation(makeConfig(), incident({ service: 'billing' }), null, NOW);
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan!.levels[0]!.targets[0])).toBe(true);
    expect(() => {
      (plan!.levels as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it('survives a JSON round trip (the state machine input) unchanged', () => {
    const { plan } = planEscalation(makeConfig(), incident({ service: 'checkout', severity: 'sev1' }), null, NOW);
    const copy = JSON.parse(JSON.stringify(plan)) as EscalationPlan;
    for (let s = 0; s <= stepCount(plan!); s++) expect(stepAt(copy, s)).toEqual(stepAt(plan!, s));
  });
});

describe('needsExecution', () => {
  const base: EscalationPlan = { incidentId: 'i', policy: 'p', holdSeconds: 0, levels: [{ targets: [{ channel: 'hook' }], waitSeconds: 900, roundRobin: false }], repeat: 0, frozenAt: NOW };
  it.each([
    ['one level, no repeat, no hold: page inline', base, false],
    ['a hold needs a wait', { ...base, holdSeconds: 60 }, true],
    ['a repeat needs a wait', { ...base, repeat: 1 }, true],
    ['a second level needs a wait', { ...base, levels: [...base.levels, ...base.levels] }, true],
  ])('%s', (_name, plan, expected) => {
    expect(needsExecution(plan)).toBe(expected);
  });

  it('is false for the configured one-level policy', () => {
    expect(needsExecution(planEscalation(makeConfig(), incident({ policy: 'single' }), null, NOW).plan!)).toBe(false);
    expect(needsExecution(planEscalation(makeConfig(), incident({ policy: 'single' }), 5, NOW).plan!)).toBe(true);
  });
});

describe('stepAt', () => {
  it('enumerates levels × (repeat + 1) rounds in order, then is exhausted', () => {
    const { plan } = planEscalation(makeConfig(), incident({ service: 'billing' }), null, NOW);
    const steps = Array.from({ length: 6 }, (_, s) => stepAt(plan!, s));
    expect(steps).toEqual([
      { kind: 'page', level: 0, round: 0, targets: [{ schedule: 'primary' }], waitSeconds: 600 },
      { kind: 'page', level: 1, round: 0, targets: [{ team: 'platform' }], waitSeconds: 1200 },
      { kind: 'page', level: 0, round: 1, targets: [{ schedule: 'primary' }], waitSeconds: 600 },
      { kind: 'page', level: 1, round: 1, targets: [{ team: 'platform' }], waitSeconds: 1200 },
      { kind: 'exhausted' },
      { kind: 'exhausted' },
    ]);
    expect(stepCount(plan!)).toBe(4);
  });

  it('pages one target per round, in turn, on a round-robin level', () => {
    const { plan } = planEscalation(makeConfig(), incident({ service: 'checkout', severity: 'sev1' }), null, NOW);
    const targets = Array.from({ length: 5 }, (_, s) => stepAt(plan!, s)).map((s) => (s.kind === 'page' ? s.targets : 'exhausted'));
    expect(targets).toEqual([[{ person: 'alice' }], [{ person: 'bob' }], [{ person: 'carol' }], [{ person: 'alice' }], 'exhausted']);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])('treats step %p as exhausted', (s) => {
    const { plan } = planEscalation(makeConfig(), incident({ service: 'billing' }), null, NOW);
    expect(stepAt(plan!, s)).toEqual({ kind: 'exhausted' });
  });
});

describe('recipientsFor', () => {
  const config = makeConfig();
  // 2024-06-10 is day 161 since 2024-01-01: bob's day on the primary schedule (alice, bob).
  it.each<[string, Parameters<typeof recipientsFor>[1], ScheduleOverride[], Recipient[]]>([
    ['a schedule resolves to who is on call now', [{ schedule: 'primary' }], [], [{ kind: 'person', person: 'bob', via: 'schedule:primary' }]],
    [
      'an override changes who the schedule pages',
      [{ schedule: 'primary' }],
      [{ id: 'o', schedule: 'primary', person: 'alice', start: '2024-06-10T00:00:00Z', end: '2024-06-11T00:00:00Z' }],
      [
        { kind: 'person', person: 'alice', via: 'schedule:primary' },
        { kind: 'channel', channel: 'alice-slack' },
      ],
    ],
    ['a schedule with nobody on call', [{ schedule: 'future' }], [], [{ kind: 'nobody', reason: 'nobody-on-call', schedule: 'future' }]],
    [
      'a team is its members and its channels',
      [{ team: 'platform' }],
      [],
      [
        { kind: 'person', person: 'alice', via: 'team:platform' },
        { kind: 'channel', channel: 'alice-slack' },
        { kind: 'person', person: 'bob', via: 'team:platform' },
        { kind: 'channel', channel: 'platform-slack' },
      ],
    ],
    ['an empty team', [{ team: 'nobody-team' }], [], [{ kind: 'nobody', reason: 'empty-team', team: 'nobody-team' }]],
    ['a person directly', [{ person: 'carol' }], [], [{ kind: 'person', person: 'carol', via: 'direct' }]],
    ['a channel directly', [{ channel: 'hook' }], [], [{ kind: 'channel', channel: 'hook' }]],
    [
      'deduplicated, the first mention wins',
      [{ schedule: 'primary' }, { team: 'platform' }, { person: 'bob' }, { channel: 'platform-slack' }],
      [],
      [
        { kind: 'person', person: 'bob', via: 'schedule:primary' },
        { kind: 'person', person: 'alice', via: 'team:platform' },
        { kind: 'channel', channel: 'alice-slack' },
        { kind: 'channel', channel: 'platform-slack' },
      ],
    ],
    [
      'names no longer in the config (the plan was frozen earlier)',
      [{ schedule: 'old' }, { team: 'old-team' }, { person: 'mallory' }, { channel: 'old-hook' }],
      [],
      [
        { kind: 'nobody', reason: 'unknown-schedule', schedule: 'old' },
        { kind: 'nobody', reason: 'unknown-team', team: 'old-team' },
        { kind: 'nobody', reason: 'unknown-person', person: 'mallory' },
        { kind: 'nobody', reason: 'unknown-channel', channel: 'old-hook' },
      ],
    ],
    [
      'an override naming someone not in the config',
      [{ schedule: 'primary' }],
      [{ id: 'o', schedule: 'primary', person: 'mallory', start: '2024-06-10T00:00:00Z', end: '2024-06-11T00:00:00Z' }],
      [{ kind: 'nobody', reason: 'unknown-person', person: 'mallory', schedule: 'primary' }],
    ],
  ])('%s', (_name, targets, overrides, expected) => {
    expect(recipientsFor(config, targets, NOW_MS, overrides)).toEqual(expected);
  });
});

describe('deliveriesFor', () => {
  const config = makeConfig();
  it('turns contacts into deliveries on the first channel of their type, plus named channels', () => {
    const recipients = recipientsFor(config, [{ team: 'platform' }, { person: 'carol' }, { channel: 'hook' }, { schedule: 'future' }], NOW_MS, []);
    expect(deliveriesFor(config, recipients)).toEqual([
      { channel: 'mail', type: 'email', address: 'alice@example.com', person: 'alice' },
      { channel: 'sms-out', type: 'sms', address: '+14155550100', person: 'alice' },
      { channel: 'alice-slack', type: 'slack', person: 'alice' },
      { channel: 'mail', type: 'email', address: 'bob@example.com', person: 'bob' },
      { channel: 'platform-slack', type: 'slack' },
      { channel: 'sms-out', type: 'sms', address: '+14155550101', person: 'carol' },
      { channel: 'hook', type: 'webhook' },
    ]);
  });

  it('uses the built-in path (channel null) when no channel of the type is configured', () => {
    const bare = { ...config, channels: [] };
    expect(deliveriesFor(bare, [{ kind: 'person', person: 'alice', via: 'direct' }])).toEqual([
      { channel: null, type: 'email', address: 'alice@example.com', person: 'alice' },
      { channel: null, type: 'sms', address: '+14155550100', person: 'alice' },
    ]);
  });

  it('yields nothing for nobody, unknown names and people without contacts', () => {
    expect(
      deliveriesFor(config, [
        { kind: 'nobody', reason: 'nobody-on-call', schedule: 'future' },
        { kind: 'person', person: 'dave', via: 'direct' },
        { kind: 'person', person: 'ghost', via: 'direct' },
        { kind: 'channel', channel: 'ghost-channel' },
      ]),
    ).toEqual([]);
  });

  it('sends once to an address or channel reached twice', () => {
    const twice: Recipient[] = [
      { kind: 'person', person: 'alice', via: 'direct' },
      { kind: 'person', person: 'alice', via: 'team:platform' },
      { kind: 'channel', channel: 'alice-slack' },
    ];
    expect(deliveriesFor(config, twice)).toHaveLength(3);
  });
});
