/** Builders for test data: normalized alerts, envelopes and evaluations with sensible defaults. */
import type { AlertAction, AlertEnvelope, NormalizedAlert } from '../../lambdas/core/model/alert';
import { messageKeyOf } from '../../lambdas/core/fingerprint';
import type { EvaluatedAlert } from '../../lambdas/core/deduplicate';
import { evaluateAlert } from '../../lambdas/core/pipeline';
import { defaultRules } from '../../lambdas/core/evaluate';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';

export const testConfig = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  routing: { default: { service: 'platform', escalationPolicy: 'default' } },
});

export const rules = defaultRules(testConfig);

export function alert(over: Partial<NormalizedAlert> & { key?: string; fp?: string; action?: AlertAction; at?: string } = {}): NormalizedAlert {
  const { key, fp, action, at, ...rest } = over;
  const fingerprintKey = fp ?? 'cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate';
  return {
    source: 'cloudwatch',
    deliveryKey: key ?? `k-${Math.random().toString(16).slice(2)}`,
    identity: [['AlarmArn', fingerprintKey]],
    fingerprintKey,
    action: action ?? 'trigger',
    title: 'ALARM: checkout-5xx-rate',
    description: 'Threshold Crossed',
    severity: 'sev2',
    sourceSeverity: action === 'resolve' ? 'OK' : action === 'info' ? 'INSUFFICIENT_DATA' : 'ALARM',
    occurredAt: at ?? '2024-06-10T14:03:12.345Z',
    alertUrl: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/checkout-5xx-rate',
    resource: 'checkout-5xx-rate',
    labels: {},
    raw: {},
    ...rest,
  };
}

export function envelope(alerts: NormalizedAlert[], over: Partial<AlertEnvelope> = {}): AlertEnvelope {
  return {
    v: 1,
    messageKey: messageKeyOf(alerts[0]?.source ?? 'cloudwatch', alerts.map((a) => a.deliveryKey)),
    source: alerts[0]?.source ?? 'cloudwatch',
    via: 'test',
    receivedAt: '2024-06-10T14:05:00.000Z',
    archiveKey: 'raw/test.json',
    alerts,
    ...over,
  };
}

export function evaluated(a: NormalizedAlert, messageKey?: string, suppression: { reason: string; rule: string | null; until?: string } | null = null): EvaluatedAlert {
  const evaluation = evaluateAlert(a, rules, Date.parse('2024-06-10T14:05:00Z'));
  return {
    alert: a,
    messageKey: messageKey ?? messageKeyOf(a.source, [a.deliveryKey]),
    receivedAt: '2024-06-10T14:05:00.000Z',
    archiveKey: 'raw/test.json',
    evaluation: { ...evaluation, suppression },
  };
}

export const NOW = '2024-06-10T14:05:00.000Z';
export const NOW_MS = Date.parse(NOW);
