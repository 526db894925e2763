import { SOURCES } from '../../../lambdas/core/normalize/registry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfigText } from '../../../lambdas/core/config/parse-pipeline-config-text';
import { ConfigError } from '../../../lambdas/core/errors';
import { alertFromShorthand, checkGoldenFile, givenTimes, parseGoldenFileText, relativeMs } from '../../../lambdas/core/simulate/golden';
import { REPO_ROOT } from '../../support/fixtures';

const dir = join(REPO_ROOT, 'test', 'fixtures', 'golden');
const config = parsePipelineConfigText(readFileSync(join(dir, 'current.yaml'), 'utf8'));
const golden = (name: string) => parseGoldenFileText(readFileSync(join(dir, name), 'utf8'), name);

describe('checkGoldenFile', () => {
  it('passes a file whose expectations hold', () => {
    const result = checkGoldenFile(config, golden('passing.yaml'));
    expect(result.cases.map((c) => [c.name, c.passed, c.failures])).toEqual([
      ['firewall goes to security', true, []],
      ['repeats group, a resolve closes, the next alert opens a new incident', true, []],
      ['a body the route rejects', true, []],
    ]);
  });

  it('fails a file whose expectations do not hold, with one readable line per failure', () => {
    const result = checkGoldenFile(config, golden('failing.yaml'));
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
      ['firewall goes to security', false],
      ['this one passes', true],
      ['the canary alarm is suppressed', false],
      ['a bad body', false],
    ]);
    expect(result.cases.flatMap((c) => c.failures)).toEqual([
      "case 'firewall goes to security', alert 1: severity expected sev1, got sev2",
      "case 'firewall goes to security', alert 1: route.service expected security, got platform (rule default)",
      "case 'the canary alarm is suppressed', alert 1: suppressed expected a reason containing \"canary\", got not suppressed",
      "case 'the canary alarm is suppressed', alert 1: pages expected false, got true (opened #1 and pages at 2024-06-10T14:00:00.000Z)",
      "case 'the canary alarm is suppressed', alert 2: tags.env expected prod, got (unset)",
      "case 'the canary alarm is suppressed', alert 2: incident expected #1, got #2 (outcome opened)",
      "case 'the canary alarm is suppressed': expected 1 incident, got 2 (#1 triggered, #2 triggered)",
      "case 'the canary alarm is suppressed', incident #1: alertCount expected 2, got 1",
      "case 'the canary alarm is suppressed', incident #3: no such incident (the case opened 2 (#1 triggered, #2 triggered))",
      "case 'a bad body', given 1: rejected by the threatstack route (threatstack-webhook): invalid payload: severity: expected 1, 2 or 3",
    ]);
  });

  it('names the alert by delivery key or number when it does not exist, and checks every kind of expectation', () => {
    const file = parseGoldenFileText(`
cases:
  - name: everything
    given:
      - at: '2024-06-10T14:00:00Z'
        alert: { source: cloudwatch, title: 'firewall open', deliveryKey: k1 }
      - at: +1m
        alert: { source: cloudwatch, title: 'firewall open', deliveryKey: k2, action: resolve }
    expect:
      alerts:
        - deliveryKey: k1
          severity: sev2
          tags: { category: null, source: webhook }
          route: { service: platform, escalationPolicy: null, team: platform, rule: firewall-to-security }
          suppressed: true
          pages: false
          incident: '#2'
          outcome: joined
          holdMinutes: 5
        - { deliveryKey: nope }
        - { index: 7 }
        - { index: 2, suppressed: false, outcome: resolved }
      incidents:
        - { label: '#1', status: triggered, alertCount: 3, service: platform, escalationPolicy: null, severity: sev3, suppressed: true, pages: false }
      rejected: [{ given: 2 }]
`);
    expect(checkGoldenFile(config, file).cases[0]!.failures).toEqual([
      "case 'everything', given 2: expected to be rejected, but it was accepted",
      "case 'everything', alert k1: severity expected sev2, got sev1",
      "case 'everything', alert k1: tags.category expected (unset), got firewall",
      "case 'everything', alert k1: tags.source expected webhook, got cloudwatch",
      "case 'everything', alert k1: route.service expected platform, got security (rule firewall-to-security)",
      "case 'everything', alert k1: route.escalationPolicy expected none, got security-oncall (rule firewall-to-security)",
      "case 'everything', alert k1: route.team expected platform, got security (rule firewall-to-security)",
      "case 'everything', alert k1: suppressed expected true, got false",
      "case 'everything', alert k1: pages expected false, got true (opened #1 and pages at 2024-06-10T14:00:00.000Z)",
      "case 'everything', alert k1: incident expected #2, got #1 (outcome opened)",
      "case 'everything', alert k1: outcome expected joined, got opened (new-incident)",
      "case 'everything', alert k1: holdMinutes expected 5, got none",
      "case 'everything', alert nope: no alert with this delivery key (delivery keys: k1, k2)",
      "case 'everything', alert 7: no such alert (the case produced 2 alerts)",
      "case 'everything', incident #1: status expected triggered, got resolved (resolved by source:cloudwatch)",
      "case 'everything', incident #1: alertCount expected 3, got 1",
      "case 'everything', incident #1: service expected platform, got security",
      "case 'everything', incident #1: escalationPolicy expected none, got security-oncall",
      "case 'everything', incident #1: severity expected sev3, got sev1",
      "case 'everything', incident #1: suppressed expected true, got false",
      "case 'everything', incident #1: pages expected false, got true",
    ]);
  });

  it('a suppressed alert that was expected not to be names the rule', () => {
    const suppressing = parsePipelineConfigText(`${readFileSync(join(dir, 'candidate.yaml'), 'utf8')}`);
    const file = parseGoldenFileText(`
cases:
  - name: canary
    given:
      - at: '2024-06-10T14:00:00Z'
        alert: { source: cloudwatch, labels: { alarm_name: canary-cpu-high } }
    expect:
      alerts: [{ suppressed: false, pages: true }, ]
`);
    expect(checkGoldenFile(suppressing, file).cases[0]!.failures).toEqual([
      "case 'canary', alert 1: suppressed expected false, got true (rule noisy-canary-cpu: canary CPU alarm flaps during deploys (PLAT-123))",
      "case 'canary', alert 1: pages expected true, got false (outcome suppressed: canary CPU alarm flaps during deploys (PLAT-123))",
    ]);
  });
});

describe('golden file format', () => {
  const problems = (text: string): string[] => {
    try {
      parseGoldenFileText(text, 'cases.yaml');
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
      throw err;
    }
    return [];
  };

  it('names the path of every problem', () => {
    expect(problems(`
cases:
  - name: a
    given:
      - { at: +5m, alert: { source: cloudwatch } }
      - { at: '2024-06-10T14:00:00Z', source: threatstack, body: {}, alert: { source: cloudwatch } }
      - { at: soon, alert: { source: carrier-pigeon } }
      - { body: {} }
    expect: { alerts: [{ index: 1, deliveryKey: x, incident: '1' }], surprise: true }
  - name: a
    given: []
    expect: {}
`)).toEqual([
      'cases[0].given[1]: give either body (with source) or alert',
      'cases[0].given[2].at: expected an ISO 8601 time with offset or "+<n><ms|s|m|h|d>" (after the previous one)',
      `cases[0].given[2].alert.source: expected one of ${SOURCES.map((s) => JSON.stringify(s)).join(', ')}`,
      'cases[0].given[3].source: required with body',
      'cases[0].expect.alerts[0].incident: expected an incident label such as "#1"',
      'cases[0].expect.alerts[0].deliveryKey: use index or deliveryKey, not both',
      'cases[0].expect: unknown key "surprise"',
      'cases[1].given: must not be empty',
    ]);
    // File-wide checks run once every case has the right shape.
    expect(problems(`
cases:
  - { name: a, given: [{ at: +5m, alert: { source: cloudwatch } }], expect: {} }
  - { name: a, given: [{ alert: { source: cloudwatch } }], expect: {} }
`)).toEqual([
      'cases[0].given[0].at: the first given needs an ISO 8601 time',
      'cases[1].name: duplicate case name "a"',
      'cases[1].given[0].at: the first given needs an ISO 8601 time',
    ]);
  });

  it('rejects YAML errors and duplicate keys', () => {
    expect(problems('cases: [')[0]).toMatch(/^: /);
    expect(problems('cases: []\ncases: []')[0]).toMatch(/unique/i);
  });

  it('reads relative times after the previous given, and a missing time as the previous one', () => {
    expect(relativeMs('+1h30m')).toBe(5_400_000);
    expect(relativeMs('+500ms')).toBe(500);
    expect(relativeMs('+2d')).toBe(172_800_000);
    const file = parseGoldenFileText(`
cases:
  - name: t
    given:
      - { at: '2024-06-10T16:00:00+02:00', alert: { source: cloudwatch } }
      - { at: +10m, alert: { source: cloudwatch } }
      - { alert: { source: cloudwatch } }
      - { at: '2024-06-10T13:00:00Z', alert: { source: cloudwatch } }
      - { at: +45s, alert: { source: cloudwatch } }
    expect: {}
`);
    expect(givenTimes(file.cases[0]!)).toEqual([
      '2024-06-10T14:00:00.000Z', '2024-06-10T14:10:00.000Z', '2024-06-10T14:10:00.000Z', '2024-06-10T13:00:00.000Z', '2024-06-10T13:00:45.000Z',
    ]);
  });

  it('fills an alert shorthand with defaults', () => {
    expect(alertFromShorthand({ source: 'cloudwatch', action: 'info', labels: { account: '1' } }, '2024-06-10T14:00:00.000Z', 3)).toEqual({
      source: 'cloudwatch',
      deliveryKey: 'golden:given-3',
      identity: [['fingerprintKey', 'golden:cloudwatch:cloudwatch test alert']],
      fingerprintKey: 'golden:cloudwatch:cloudwatch test alert',
      action: 'info',
      title: 'cloudwatch test alert',
      description: '',
      severity: 'sev2',
      sourceSeverity: 'INSUFFICIENT_DATA',
      occurredAt: '2024-06-10T14:00:00.000Z',
      alertUrl: null,
      resource: null,
      labels: { account: '1' },
      raw: {},
    });
    const file = parseGoldenFileText(`
cases:
  - name: numbers
    given: [{ at: '2024-06-10T14:00:00Z', alert: { source: threatstack, severity: sev1, labels: { account: 111122223333, on: true } } }]
    expect: { alerts: [{ tags: { severity: sev1 } }] }
`);
    expect(file.cases[0]!.given[0]!.alert!.labels).toEqual({ account: '111122223333', on: 'true' });
  });
});
