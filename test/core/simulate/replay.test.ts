import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfigText } from '../../../lambdas/core/config/parse-pipeline-config-text';
import { diffSimulations, formatReplayReport, totalsLine } from '../../../lambdas/core/simulate/replay';
import { simulate, type SimulationInput } from '../../../lambdas/core/simulate/simulate';
import { REPO_ROOT, loadFixture } from '../../support/fixtures';

const text = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'golden', name), 'utf8');
const current = parsePipelineConfigText(text('current.yaml'));
const candidate = parsePipelineConfigText(text('candidate.yaml'));

function alarm(name: string, state: 'ALARM' | 'OK', time: string): Record<string, unknown> {
  return {
    AlarmName: name, AWSAccountId: '111122223333', NewStateValue: state, NewStateReason: 'Threshold Crossed', StateChangeTime: time,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`, Trigger: { MetricName: 'CPUUtilization', Namespace: 'AWS/EC2' },
  };
}

const inputs: SimulationInput[] = [
  { at: '2024-06-10T10:00:01Z', source: 'threatstack', via: 'threatstack-webhook', body: loadFixture('threatstack', 'batch-host-and-cloudtrail') },
  { at: '2024-06-10T10:03:13Z', source: 'cloudwatch', body: alarm('checkout-5xx-rate', 'ALARM', '2024-06-10T10:03:12.000+0000') },
  { at: '2024-06-10T10:05:00Z', source: 'cloudwatch', body: alarm('canary-cpu-high', 'ALARM', '2024-06-10T10:04:59.000+0000') },
  { at: '2024-06-10T10:20:00Z', source: 'cloudwatch', body: alarm('checkout-5xx-rate', 'OK', '2024-06-10T10:19:59.000+0000') },
];

describe('diffSimulations', () => {
  it('a candidate that adds a routing rule and a suppression rule shows exactly those differences', () => {
    const diff = diffSimulations(simulate(current, inputs), simulate(candidate, inputs));
    expect(diff.alerts).toBe(5);
    expect(diff.differences.map((d) => [d.deliveryKey, d.changes.map((c) => c.text)])).toEqual([
      [
        'cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T10:03:12.000Z|ALARM',
        ['route: platform/platform-oncall (rule default) -> checkout/payments-oncall (rule checkout-to-payments)'],
      ],
      [
        'cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:canary-cpu-high|2024-06-10T10:04:59.000Z|ALARM',
        [
          'pages: yes -> no (suppressed: noisy-canary-cpu; was opens #4)',
          'suppression: none -> noisy-canary-cpu (canary CPU alarm flaps during deploys (PLAT-123))',
        ],
      ],
      [
        'cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T10:19:59.000Z|OK',
        ['route: platform/platform-oncall (rule default) -> checkout/payments-oncall (rule checkout-to-payments)'],
      ],
    ]);
    expect(diff.totals).toEqual({ pages: 1, route: 2, suppression: 1, grouping: 0, severity: 0, alertsDifferent: 3 });
    expect(totalsLine(diff)).toBe('5 alerts replayed: 1 page differently, 2 route differently, 1 suppressed differently, 0 group differently, 0 change severity');
    expect(diff.incidents).toEqual({ current: 4, candidate: 4 });
  });

  it('does not compare deliveries both runs skip as duplicates', () => {
    const twice: SimulationInput[] = [inputs[1]!, { ...inputs[1]!, at: '2024-06-10T10:03:40Z' }];
    const diff = diffSimulations(simulate(current, twice), simulate(candidate, twice));
    expect(diff.alerts).toBe(2);
    expect(diff.differences.map((d) => [d.at, d.changes.map((c) => c.kind)])).toEqual([['2024-06-10T10:03:13.000Z', ['route']]]);
  });

  it('the same config shows no difference', () => {
    const diff = diffSimulations(simulate(current, inputs), simulate(current, inputs));
    expect(diff.differences).toEqual([]);
    expect(formatReplayReport(diff)).toBe(
      '5 alerts replayed: 0 page differently, 0 route differently, 0 suppressed differently, 0 group differently, 0 change severity\nincidents: 4 current, 4 candidate',
    );
  });

  it('shows grouping and severity changes: an alert that joins an incident instead of opening its own', () => {
    const grouping = parsePipelineConfigText(
      `${text('current.yaml').replace(
        '  routing:\n',
        `    - name: cloudtrail-is-sev2
      when: 'alert.source == "threatstack" && alert.labels.ts_source == "CloudTrail"'
      tags: { severity: sev2 }
  routing:
`,
      )}  dedup:
    - name: one-per-organization
      source: threatstack
      fingerprint: 'payload.organization_id'
`,
    );
    const diff = diffSimulations(simulate(current, inputs), simulate(grouping, inputs));
    const cloudTrail = diff.differences.find((d) => d.deliveryKey === 'ts:6650f1c3a9e4b0d51a2c7e92');
    expect(cloudTrail?.changes.map((c) => c.text)).toEqual([
      'pages: yes -> no (joined #1; was opens #2)',
      'grouping: joins #1 (opened by ts:6650f1c2a9e4b0d51a2c7e91) instead of opening #2',
      'severity: sev1 -> sev2',
    ]);
    expect(diff.totals.grouping).toBe(1);
    expect(diff.incidents).toEqual({ current: 4, candidate: 3 });
    // The later incidents are numbered differently, but they group the same alerts: no difference for them.
    expect(diff.differences).toHaveLength(1);
  });

  it('reports bodies only one config can read, and caps the listing', () => {
    const withWebhook = parsePipelineConfigText(`${text('current.yaml')}
sources:
  webhooks:
    - name: uptime
      mapping: { title: 'payload.title', fingerprint: 'payload.id' }
`);
    const more: SimulationInput[] = [...inputs, { at: '2024-06-10T10:30:00Z', source: 'webhook', via: 'webhook:uptime', body: { title: 'down', id: 'm1' } }];
    const diff = diffSimulations(simulate(current, more), simulate(withWebhook, more));
    expect(diff.rejectedOnlyBy.current.map((r) => r.error)).toEqual(['invalid payload: (body): no webhook "uptime" in this config (webhooks: none)']);
    expect(diff.unpaired).toEqual({ current: 0, candidate: 1 });
    const report = formatReplayReport(diffSimulations(simulate(current, inputs), simulate(candidate, inputs)), { maxDifferences: 1 });
    expect(report.split('\n')).toEqual([
      '2024-06-10T10:03:13.000Z  cloudwatch  cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate|2024-06-10T10:03:12.000Z|ALARM  "ALARM: checkout-5xx-rate"',
      '  route: platform/platform-oncall (rule default) -> checkout/payments-oncall (rule checkout-to-payments)',
      '... and 2 more alerts that differ (--json lists them all)',
      '',
      '5 alerts replayed: 1 page differently, 2 route differently, 1 suppressed differently, 0 group differently, 0 change severity',
      'incidents: 4 current, 4 candidate',
    ]);
  });
});
