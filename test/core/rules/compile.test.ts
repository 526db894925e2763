import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { parsePipelineConfigText } from '../../../lambdas/core/config/parse-pipeline-config-text';
import type { PipelineConfig, PipelineConfigInput } from '../../../lambdas/core/config/pipeline-config.schema';
import type { MaintenanceWindow } from '../../../lambdas/core/rules/maintenance';
import type { NormalizedAlert } from '../../../lambdas/core/model/alert';
import type { TraceStep } from '../../../lambdas/core/model/trace';
import { fingerprintOf } from '../../../lambdas/core/fingerprint';
import { evaluateAlert } from '../../../lambdas/core/pipeline';
import { compileRules } from '../../../lambdas/core/rules/compile';
import { REPO_ROOT, loadExpected } from '../../support/fixtures';

// ---- builders ---------------------------------------------------------------------------------------------------

const NOW = Date.parse('2024-06-10T14:05:00.000Z');

const CLOUDWATCH = loadExpected('cloudwatch', 'sns-https-metric-alarm')[0]!;
const THREATSTACK = loadExpected('threatstack', 'bare-alert')[0]!;

/** A deep copy in this realm (structuredClone would hand cel-js objects of another realm under jest). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The CloudWatch fixture alarm under another name. */
function alarm(name: string, extra: Partial<NormalizedAlert> = {}): NormalizedAlert {
  return { ...copy(CLOUDWATCH), title: `ALARM: ${name}`, labels: { ...CLOUDWATCH.labels, alarm_name: name }, fingerprintKey: `cw:arn:${name}`, ...extra };
}

/** The Threat Stack fixture alert with another title. */
function threat(title: string, extra: Partial<NormalizedAlert> = {}): NormalizedAlert {
  return { ...copy(THREATSTACK), title, raw: { ...copy(THREATSTACK.raw as object), title }, ...extra };
}

const BASE: PipelineConfigInput = {
  version: 1,
  teams: [{ name: 'platform' }, { name: 'security' }, { name: 'payments' }],
  services: [
    { name: 'platform', team: 'platform', escalationPolicy: 'platform-oncall' },
    { name: 'security', team: 'security', escalationPolicy: { sev1: 'security-urgent', default: 'security-oncall' } },
    { name: 'checkout', team: 'payments' },
    { name: 'batch', team: 'platform' },
  ],
  escalationPolicies: ['platform-oncall', 'security-urgent', 'security-oncall', 'payments-oncall'].map((name) => ({ name, levels: [{ targets: [{ team: 'platform' }] }] })),
  routing: { default: { service: 'platform' } },
};

function config(extra: Partial<PipelineConfigInput> = {}): PipelineConfig {
  return parsePipelineConfig({ ...BASE, ...extra });
}

const rulesOf = (extra: Partial<PipelineConfigInput>) => compileRules(config(extra));
const evaluate = (extra: Partial<PipelineConfigInput>, alert: NormalizedAlert, now = NOW, adHoc: MaintenanceWindow[] = []) =>
  evaluateAlert(alert, rulesOf(extra), now, adHoc);
const FP = fingerprintOf('unused-by-classify');
const stepsOf = (trace: TraceStep[], outcome: string) => trace.filter((s) => s.outcome === outcome);

// ---- identify (dedup rules) ----------------------------------------------------------------------------------------

describe('identify', () => {
  const dedup = {
    rules: {
      routing: [{ name: 'firewall', when: 'alert.title.contains("firewall")', route: { service: 'security' } }],
      dedup: [
        { name: 'security-hourly', service: 'security', windowMinutes: 60 },
        { name: 'per-alarm-region', source: 'cloudwatch' as const, when: 'alert.labels.alarm_name.startsWith("checkout-")', fingerprint: 'alert.labels.alarm_name + "@" + alert.labels.region', windowMinutes: 15 },
        { name: 'cloudwatch-any', source: 'cloudwatch' as const, windowMinutes: 5 },
      ],
    },
  };

  it.each([
    ['a dedup template with a window (first matching rule)', alarm('checkout-latency'), 'rule:per-alarm-region:checkout-latency@eu-west-1', 15, 'per-alarm-region'],
    ['a window-only rule: source fingerprint, rule window', alarm('disk-full'), 'cw:arn:disk-full', 5, 'cloudwatch-any'],
    ['a rule by service (after routing)', threat('iptables firewall rule changed on web-01'), THREATSTACK.fingerprintKey, 60, 'security-hourly'],
  ])('matches %s', (_what, alert, key, windowMinutes, rule) => {
    const identity = rulesOf(dedup).identify(alert, NOW);
    expect(identity).toMatchObject({ fingerprintKey: key, windowMinutes });
    expect(identity.trace).toEqual([expect.objectContaining({ stage: 'fingerprint', outcome: 'dedup-rule', data: expect.objectContaining({ rule, key }) })]);
  });

  it.each([
    ['a source no rule names', threat('Login from new IP')],
    ['a routed service no rule names', threat('Login from new IP', { title: 'Firewoll' })],
  ])('does not match %s: source fingerprint, no window', (_what, alert) => {
    expect(rulesOf(dedup).identify(alert, NOW)).toEqual({ fingerprintKey: alert.fingerprintKey, windowMinutes: null, trace: [] });
  });

  it('does not match a rule whose fingerprint fails to evaluate; the next rule decides and the error is traced', () => {
    const identity = rulesOf({
      rules: { dedup: [
        { name: 'by-payload-field', source: 'cloudwatch', fingerprint: 'payload.NoSuchField' },
        { name: 'fallback', source: 'cloudwatch', windowMinutes: 10 },
      ] },
    }).identify(alarm('x'), NOW);
    expect(identity).toMatchObject({ fingerprintKey: 'cw:arn:x', windowMinutes: 10 });
    expect(identity.trace[0]).toMatchObject({ outcome: 'error', data: { rule: 'by-payload-field', error: expect.stringContaining('NoSuchField') } });
  });

  it('matches a dedup condition on the classified tags and severity', () => {
    const rules = rulesOf({
      rules: {
        tagging: [{ name: 'prod', when: 'alert.labels.account == "111122223333"', tags: { env: 'prod', severity: 'sev1' } }],
        dedup: [{ name: 'prod-sev1', when: 'tags.env == "prod" && alert.severity == "sev1"', windowMinutes: 20 }],
      },
    });
    expect(rules.identify(alarm('x'), NOW).windowMinutes).toBe(20);
    expect(rules.identify(alarm('x', { labels: { ...CLOUDWATCH.labels, alarm_name: 'x', account: '999' } }), NOW).windowMinutes).toBeNull();
  });

  it('gives the pipeline a rule fingerprint (two alarms, one key)', () => {
    const rules = rulesOf({ rules: { dedup: [{ name: 'all-5xx', source: 'cloudwatch', when: 'alert.labels.alarm_name.contains("5xx")', fingerprint: '"5xx"' }] } });
    const a = evaluateAlert(alarm('checkout-5xx'), rules, NOW);
    const b = evaluateAlert(alarm('search-5xx'), rules, NOW);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(evaluateAlert(alarm('search-latency'), rules, NOW).fingerprint).not.toBe(a.fingerprint);
  });
});

// ---- classify (tagging) --------------------------------------------------------------------------------------------

describe('classify', () => {
  type TaggingRules = NonNullable<NonNullable<PipelineConfigInput['rules']>['tagging']>;
  const tagging = (rules: TaggingRules) => ({ rules: { tagging: rules } });

  it('matches nothing: tags are source and the source severity', () => {
    const c = rulesOf({}).classify(alarm('a'), FP, NOW);
    expect(c.tags).toEqual({ source: 'cloudwatch', severity: 'sev2' });
    expect(c.severity).toBe('sev2');
    expect(c.trace).toEqual([expect.objectContaining({ outcome: 'default' })]);
  });

  it.each([
    [
      'all matching rules, in order; the last match wins per key',
      [
        { name: 'env-prod', when: 'true', tags: { env: 'prod', owner: 'ops' } as Record<string, string> },
        { name: 'never', when: 'false', tags: { env: 'never' } },
        { name: 'env-staging', when: 'alert.labels.alarm_name.endsWith("-canary")', tags: { env: 'staging' } },
      ],
      alarm('api-canary'),
      { source: 'cloudwatch', severity: 'sev2', env: 'staging', owner: 'ops' },
      'sev2',
    ],
    [
      'a later rule seeing an earlier rule\'s tags',
      [
        { name: 'env', when: 'true', tags: { env: 'prod' } },
        { name: 'prod-sev1', when: 'tags.env == "prod" && alert.severity == "sev2"', tags: { severity: 'sev1' } },
      ],
      alarm('x'),
      { source: 'cloudwatch', severity: 'sev1', env: 'prod' },
      'sev1',
    ],
    [
      'a severity override (severity tag sev3)',
      [{ name: 'quiet', when: 'alert.labels.alarm_name == "batch-lag"', tags: { severity: 'sev3' } }],
      alarm('batch-lag'),
      { source: 'cloudwatch', severity: 'sev3' },
      'sev3',
    ],
    [
      'tags read from the alert and the payload with expressions',
      [{ name: 'from-payload', when: 'true', tags: { account: { expr: 'payload.AWSAccountId' }, ns: { expr: 'alert.labels.namespace.lowerAscii()' }, n: { expr: 'size(payload.AlarmActions)' } } }],
      alarm('x'),
      { source: 'cloudwatch', severity: 'sev2', account: '111122223333', ns: 'aws/applicationelb', n: '1' },
      'sev2',
    ],
  ] as Array<[string, TaggingRules, NormalizedAlert, Record<string, string>, string]>)('matches %s', (_what, rules, alert, tags, severity) => {
    const c = rulesOf(tagging(rules)).classify(alert, FP, NOW);
    expect(c.tags).toEqual(tags);
    expect(c.severity).toBe(severity);
  });

  it('does not take a severity tag that is not sev1..3: ignored and traced, severity and tag unchanged', () => {
    const c = rulesOf(tagging([{ name: 'bad-sev', explanation: 'someone typed critical', when: 'true', tags: { severity: 'critical', team: 'ops' } }])).classify(alarm('x'), FP, NOW);
    expect(c.severity).toBe('sev2');
    expect(c.tags).toEqual({ source: 'cloudwatch', severity: 'sev2', team: 'ops' });
    expect(c.trace[0]).toMatchObject({ outcome: 'tagged', reason: expect.stringContaining('ignored severity "critical"'), data: { rule: 'bad-sev', ignored: { severity: 'critical' } } });
  });

  it('records the rule name, explanation and condition in the trace', () => {
    const c = rulesOf(tagging([{ name: 'prod', explanation: 'the prod account', when: 'alert.labels.account == "111122223333"', tags: { env: 'prod' } }])).classify(alarm('x'), FP, NOW);
    expect(c.trace[0]).toEqual({
      stage: 'classify',
      outcome: 'tagged',
      reason: 'tagging rule "prod" matched (the prod account); set env=prod',
      data: { rule: 'prod', explanation: 'the prod account', when: 'alert.labels.account == "111122223333"', tags: { env: 'prod' } },
    });
  });

  it('does not set a tag whose expression fails; the rule\'s other tags apply and the error is traced', () => {
    const c = rulesOf(tagging([{ name: 'partial', when: 'true', tags: { a: { expr: 'payload.missing' }, b: 'set' } }])).classify(alarm('x'), FP, NOW);
    expect(c.tags).toEqual({ source: 'cloudwatch', severity: 'sev2', b: 'set' });
    expect(c.trace[0]?.data).toMatchObject({ errors: { a: expect.stringContaining('missing') } });
  });
});

// ---- route ---------------------------------------------------------------------------------------------------------

describe('route', () => {
  const routing = {
    rules: {
      tagging: [{ name: 'checkout', when: 'alert.labels.alarm_name.startsWith("checkout-")', tags: { component: 'checkout' } }],
      routing: [
        { name: 'firewall-to-security', explanation: 'firewall changes are security\'s', when: 'alert.source == "threatstack" && alert.title.lowerAscii().contains("firewall")', route: { service: 'security' } },
        { name: 'checkout', when: 'tags.component == "checkout"', route: { service: 'checkout', escalationPolicy: 'payments-oncall' } },
        { name: 'checkout-shadowed', when: 'tags.component == "checkout"', route: { service: 'batch' } },
        { name: 'sev1-security', when: 'alert.source == "threatstack" && alert.severity == "sev1"', route: { service: 'security' } },
      ],
    },
  };

  it.each([
    ['a firewall Threat Stack alert to the security service and team', threat('Firewall rule changed: iptables -F by root'), { service: 'security', team: 'security', escalationPolicy: 'security-oncall', rule: 'firewall-to-security' }],
    ['by tag; the first matching rule wins over later ones; the route\'s policy', alarm('checkout-5xx'), { service: 'checkout', team: 'payments', escalationPolicy: 'payments-oncall', rule: 'checkout' }],
    ['the service\'s per-severity policy (sev1)', threat('Kernel module loaded', { severity: 'sev1' }), { service: 'security', team: 'security', escalationPolicy: 'security-urgent', rule: 'sev1-security' }],
    ['the default route with the service\'s policy', alarm('disk-full'), { service: 'platform', team: 'platform', escalationPolicy: 'platform-oncall', rule: 'default' }],
  ])('matches %s', (_what, alert, route) => {
    expect(evaluate(routing, alert).route).toEqual(route);
  });

  it('does not give a route a policy when neither the route nor the service has one', () => {
    const e = evaluate({ routing: { default: { service: 'batch' } } }, alarm('x'));
    expect(e.route).toEqual({ service: 'batch', team: 'platform', escalationPolicy: null, rule: 'default' });
  });

  it('matches a routing rule on the classified severity (after a severity tag)', () => {
    const e = evaluate({
      rules: {
        tagging: [{ name: 'sev1', when: 'alert.source == "threatstack"', tags: { severity: 'sev1' } }],
        routing: [{ name: 'urgent', when: 'tags.severity == "sev1" && alert.severity == "sev1"', route: { service: 'security' } }],
      },
    }, threat('x'));
    expect(e.route).toMatchObject({ service: 'security', escalationPolicy: 'security-urgent', rule: 'urgent' });
  });

  it('traces the matched rule with its explanation and condition', () => {
    const e = evaluate(routing, threat('Firewall disabled'));
    expect(e.trace.find((s) => s.stage === 'route')).toMatchObject({
      outcome: 'matched',
      reason: expect.stringContaining('firewall-to-security'),
      data: { rule: 'firewall-to-security', explanation: "firewall changes are security's", when: expect.stringContaining('firewall'), service: 'security', team: 'security' },
    });
  });
});

// ---- suppress ------------------------------------------------------------------------------------------------------

describe('suppress', () => {
  const suppression = {
    rules: {
      routing: [{ name: 'batch', when: 'alert.labels.alarm_name.startsWith("batch-")', route: { service: 'batch' } }],
      suppression: [
        { name: 'noisy-canary', explanation: 'flaps on every deploy', when: 'alert.labels.alarm_name == "canary-cpu-high"', reason: 'canary CPU flaps during deploys (PLAT-123)' },
        { name: 'canary-shadowed', when: 'alert.labels.alarm_name.startsWith("canary-")', reason: 'never seen for canary-cpu-high' },
      ],
    },
    maintenance: [
      { name: 'batch-weekly', reason: 'weekly re-index', services: ['batch'], rrule: 'FREQ=WEEKLY;BYDAY=MO', timezone: 'Europe/Berlin', firstStart: '2024-01-01T15:00', durationMinutes: 60 },
      { name: 'eu-freeze', when: 'alert.labels.region == "eu-west-1" && tags.severity != "sev1"', start: '2024-06-10T14:00:00Z', end: '2024-06-10T15:00:00Z' },
    ],
  };

  it('matches a noisy CloudWatch alarm by alarm name, with the rule\'s reason (first rule wins) in the trace', () => {
    const e = evaluate(suppression, alarm('canary-cpu-high'));
    expect(e.suppression).toEqual({ reason: 'canary CPU flaps during deploys (PLAT-123)', rule: 'noisy-canary' });
    expect(e.trace.find((s) => s.stage === 'suppress')).toMatchObject({
      outcome: 'suppressed',
      reason: expect.stringContaining('canary CPU flaps during deploys (PLAT-123)'),
      data: { rule: 'noisy-canary', explanation: 'flaps on every deploy', when: 'alert.labels.alarm_name == "canary-cpu-high"' },
    });
  });

  it.each([
    ['a recurring window by service (Monday 15:00-16:00 Berlin = 13:00-14:00Z)', alarm('batch-lag', { labels: { ...CLOUDWATCH.labels, alarm_name: 'batch-lag', region: 'us-east-1' } }), Date.parse('2024-06-10T13:30:00Z'),
      { reason: 'maintenance: batch-weekly: weekly re-index', rule: 'maintenance:batch-weekly', until: '2024-06-10T14:00:00.000Z' }],
    ['a one-off window by condition', alarm('api-latency'), NOW, { reason: 'maintenance: eu-freeze', rule: 'maintenance:eu-freeze', until: '2024-06-10T15:00:00.000Z' }],
  ])('matches %s', (_what, alert, now, expected) => {
    const e = evaluate(suppression, alert, now);
    expect(e.suppression).toEqual(expected);
    expect(e.trace.find((s) => s.outcome === 'maintenance')?.data).toMatchObject({ window: expected.rule.slice('maintenance:'.length), end: expected.until });
  });

  it.each([
    ['a window of another service', alarm('disk-full', { labels: { ...CLOUDWATCH.labels, alarm_name: 'disk-full', region: 'us-east-1' } }), Date.parse('2024-06-10T13:30:00Z')],
    ['a window that is not in effect', alarm('batch-lag', { labels: { ...CLOUDWATCH.labels, alarm_name: 'batch-lag', region: 'us-east-1' } }), Date.parse('2024-06-10T14:00:00Z')],
    ['a window whose condition is false (sev1)', alarm('api-5xx', { severity: 'sev1' }), NOW],
  ])('does not match %s', (_what, alert, now) => {
    const e = evaluate(suppression, alert, now);
    expect(e.suppression).toBeNull();
    expect(e.trace.find((s) => s.stage === 'suppress')).toMatchObject({ outcome: 'none' });
  });

  it('matches an ad-hoc window (from the API) after the config windows', () => {
    const adHoc: MaintenanceWindow[] = [
      { name: 'bad', services: ['platform'], when: 'alert.title +', start: '2024-06-10T00:00:00Z', end: '2024-06-11T00:00:00Z' },
      { name: 'deploy', reason: 'deploying v42', services: ['platform'], when: null, start: '2024-06-10T14:00:00Z', end: '2024-06-10T14:30:00Z' },
    ];
    const e = evaluate({}, alarm('disk-full'), NOW, adHoc);
    expect(e.suppression).toEqual({ reason: 'maintenance: deploy: deploying v42', rule: 'maintenance:deploy', until: '2024-06-10T14:30:00.000Z' });
    expect(e.trace.find((s) => s.stage === 'suppress' && s.outcome === 'error')?.reason).toContain('"bad" has an invalid condition');
    expect(e.trace.find((s) => s.outcome === 'maintenance')?.data).toMatchObject({ adHoc: true });
  });

  it('does not match an ad-hoc window with neither services nor a condition', () => {
    const e = evaluate({}, alarm('x'), NOW, [{ name: 'all', services: [], when: null, start: '2024-06-10T00:00:00Z', end: '2024-06-11T00:00:00Z' }]);
    expect(e.suppression).toBeNull();
  });
});

// ---- delay ---------------------------------------------------------------------------------------------------------

describe('delay', () => {
  const delays = {
    rules: {
      tagging: [{ name: 'batch-sev3', when: 'alert.labels.alarm_name.startsWith("batch-")', tags: { severity: 'sev3' } }],
      delays: [
        { name: 'sev3-waits', explanation: 'sev3 pages only if still open after 10 minutes', when: 'tags.severity == "sev3"', holdMinutes: 10 },
        { name: 'all-wait', when: 'true', holdMinutes: 60 },
      ],
    },
  };
  it.each([
    ['the first matching delay rule', alarm('batch-lag'), 10],
    ['a later rule when the first does not match', alarm('api-latency'), 60],
  ])('matches %s', (_what, alert, hold) => {
    const e = evaluate(delays, alert);
    expect(e.holdMinutes).toBe(hold);
    expect(stepsOf(e.trace, 'delayed')).toHaveLength(1);
  });
  it('does not delay without delay rules', () => {
    expect(evaluate({}, alarm('x')).holdMinutes).toBeNull();
  });
});

// ---- runtime errors ----------------------------------------------------------------------------------------------

describe('runtime evaluation errors', () => {
  it.each([
    ['a missing label', 'alert.labels.nope == "x"', 'No such key: nope'],
    ['a missing payload field', 'payload.Nope.Deeper == 1', 'No such key: Nope'],
    ['an absent optional field (resource)', 'alert.resource == "x"', ''],
    ['a wrong type at run time', 'payload.AlarmName > 3', ''],
    ['a non-bool result from payload', 'payload.AlarmName', 'not bool'],
  ])('does not match on %s; the error is in the trace', (_what, when, message) => {
    const e = evaluate({ rules: { routing: [{ name: 'fragile', explanation: 'reads something that may be missing', when, route: { service: 'security' } }] } }, alarm('x', { resource: null }));
    expect(e.route.rule).toBe('default');
    const error = e.trace.find((s) => s.stage === 'route' && s.outcome === 'error');
    expect(error).toMatchObject({ data: { rule: 'fragile', explanation: 'reads something that may be missing', when, error: expect.stringContaining(message) } });
    expect(error?.reason).toContain('treated as not matching');
  });

  it('matches a guarded condition instead (has() and optional fields)', () => {
    const e = evaluate({ rules: { routing: [{ name: 'guarded', when: '(has(alert.resource) && alert.resource == "x") || alert.labels.?nope.orValue("d") == "d"', route: { service: 'security' } }] } }, alarm('x', { resource: null }));
    expect(e.route.rule).toBe('guarded');
    expect(stepsOf(e.trace, 'error')).toEqual([]);
  });
});

// ---- compileRules on unchecked input ---------------------------------------------------------------------------

describe('compileRules', () => {
  it('names the path of an expression that does not compile (config not checked first)', () => {
    const cfg = config();
    const unchecked = { ...cfg, rules: { ...cfg.rules, suppression: [{ name: 'broken', when: 'alert.title ==', reason: 'x' }] } } as PipelineConfig;
    expect(() => compileRules(unchecked)).toThrow(/rules\.suppression\[0\]\.when: invalid expression/);
  });

  it('names the path of a maintenance window without valid timing', () => {
    const cfg = config();
    const unchecked = { ...cfg, maintenance: [{ name: 'open', services: ['platform'], start: '2024-06-10T00:00:00Z' }] } as PipelineConfig;
    expect(() => compileRules(unchecked)).toThrow(/maintenance\[0\]: maintenance window "open" needs start and end/);
  });
});

// ---- config fixtures -----------------------------------------------------------------------------------------------

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'config', 'rules');
const BAD: Array<[file: string, path: string, message: RegExp]> = [
  ['bad-cel-syntax.yaml', 'rules.routing[0].when', /invalid expression/],
  ['non-bool-condition.yaml', 'rules.suppression[0].when', /must be a bool expression/],
  ['unknown-route-service.yaml', 'rules.routing[0].route.service', /unknown service "billing"/],
  ['unknown-escalation-policy.yaml', 'rules.routing[0].route.escalationPolicy', /unknown escalation policy "nobody"/],
  ['dedup-without-fingerprint-or-window.yaml', 'rules.dedup[0]', /set fingerprint, windowMinutes or both/],
  ['maintenance-without-end.yaml', 'maintenance[0].end', /needs an end/],
  ['recurring-without-timezone.yaml', 'maintenance[0].timezone', /required for a recurring window/],
  ['duplicate-rule-names.yaml', 'rules.tagging[1].name', /duplicate name "env"/],
  ['type-error-in-condition.yaml', 'rules.tagging[0].when', /no such overload/],
  ['re2-inline-flag.yaml', 'rules.suppression[0].when', /invalid regular expression "\(\?i\)disk full"/],
];

describe('parsePipelineConfigText with rules', () => {
  it.each(BAD)('rejects bad/%s naming %s', (file, path, message) => {
    const text = readFileSync(join(FIXTURES, 'bad', file), 'utf8');
    let error: unknown;
    try {
      parsePipelineConfigText(text, file);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ConfigError' });
    const issues = (error as { issues: Array<{ path: string; message: string }> }).issues;
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
    expect((error as Error).message).toContain(path);
  });

  // What each good fixture must decide: a wrong severity or route fails here (a bare "it compiled" cannot).
  it.each([
    ['full.yaml', 'the checkout 5xx alarm', () => alarm('checkout-5xx-rate'), 'sev1',
      { service: 'checkout', team: 'payments', escalationPolicy: 'payments-oncall', rule: 'checkout' }],
    ['full.yaml', 'another alarm', () => alarm('disk-full'), 'sev2',
      { service: 'platform', team: 'platform', escalationPolicy: 'platform-oncall', rule: 'default' }],
    ['full.yaml', 'a sev1 firewall alert', () => threat('Firewall rule flushed', { severity: 'sev1' }), 'sev1',
      { service: 'security', team: 'security', escalationPolicy: 'security-urgent', rule: 'firewall-to-security' }],
    ['full.yaml', 'a sev2 firewall alert', () => threat('Firewall rule flushed'), 'sev2',
      { service: 'security', team: 'security', escalationPolicy: 'security-oncall', rule: 'firewall-to-security' }],
    ['full.yaml', 'another Threat Stack alert', () => threat('Unexpected outbound connection'), 'sev2',
      { service: 'platform', team: 'platform', escalationPolicy: 'platform-oncall', rule: 'default' }],
    ['webhooks.yaml', 'the checkout 5xx alarm', () => alarm('checkout-5xx-rate'), 'sev2',
      { service: 'platform', team: 'platform', escalationPolicy: null, rule: 'default' }],
  ] as const)('accepts good/%s and decides %s', (file, _what, make, severity, route) => {
    const rules = compileRules(parsePipelineConfigText(readFileSync(join(FIXTURES, 'good', file), 'utf8'), file));
    const evaluation = evaluateAlert(make(), rules, NOW);
    expect({ severity: evaluation.severity, route: evaluation.route }).toEqual({ severity, route });
  });

  it('evaluates the good/full.yaml example end to end', () => {
    const rules = compileRules(parsePipelineConfigText(readFileSync(join(FIXTURES, 'good', 'full.yaml'), 'utf8')));
    const checkout = evaluateAlert(alarm('checkout-5xx-rate'), rules, NOW);
    expect(checkout).toMatchObject({
      severity: 'sev1',
      tags: { source: 'cloudwatch', severity: 'sev1', env: 'prod', component: 'checkout' },
      route: { service: 'checkout', team: 'payments', escalationPolicy: 'payments-oncall', rule: 'checkout' },
      windowMinutes: 30,
      suppression: null,
    });
    const canary = evaluateAlert(alarm('checkout-5xx-rate-canary'), rules, NOW);
    expect(canary.tags.env).toBe('staging');
    expect(canary.suppression).toMatchObject({ rule: 'maintenance:staging-freeze' });
    expect(evaluateAlert(alarm('canary-cpu-high'), rules, NOW).suppression).toMatchObject({ rule: 'noisy-canary-cpu' });
    const firewall = evaluateAlert(threat('Firewall rule flushed'), rules, NOW);
    expect(firewall.route).toEqual({ service: 'security', team: 'security', escalationPolicy: 'security-oncall', rule: 'firewall-to-security' });
    expect(firewall.windowMinutes).toBe(60);
  });
});
