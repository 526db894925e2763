/**
 * CloudWatch alarm enrichment: API calls per alert. A storm of CloudWatch ALARM alerts over a few alarms goes
 * through `processEnvelopes` (batches of 100, one processor instance, an in-memory store) with the real AWS adapter
 * (`CloudWatchAlarmDetails`) behind the processor's per-ARN cache, over a client that answers at once and counts the
 * calls. Without the cache every alert would cost 2 calls (ListTagsForResource + DescribeAlarms).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import type { NormalizedAlert } from '../../lambdas/core/model/alert';
import { messageKeyOf } from '../../lambdas/core/fingerprint';
import { processEnvelopes } from '../../lambdas/core/pipeline';
import { compileRules } from '../../lambdas/core/rules/compile';
import { CloudWatchAlarmDetails } from '../../lambdas/adapters/cloudwatch/cloudwatch-alarm-details';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { enrichmentSource } from '../../lambdas/handlers/shared/alarm-details';
import { fmt } from './stats';

export interface AlarmEnrichmentResult {
  alerts: number;
  alarms: number;
  apiCalls: number;
  enriched: number;
}

function alarmAlert(i: number, alarms: number): NormalizedAlert {
  const name = `bench-alarm-${i % alarms}`;
  const arn = `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`;
  const at = new Date(Date.parse('2026-01-05T10:00:00.000Z') + i * 1000).toISOString();
  return {
    source: 'cloudwatch', deliveryKey: `cw:${arn}|${at}|ALARM-${i}`, identity: [['AlarmArn', arn]], fingerprintKey: `cw:${arn}`, action: 'trigger',
    title: `ALARM: ${name}`, description: 'Threshold Crossed', severity: 'sev2', sourceSeverity: 'ALARM', occurredAt: at, alertUrl: null,
    resource: name, labels: { alarm_name: name, region: 'eu-west-1', account: '111122223333' }, raw: {},
  };
}

export async function measureAlarmEnrichment(config: PipelineConfig, alerts = 10_000, alarms = 50): Promise<AlarmEnrichmentResult> {
  let apiCalls = 0;
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      apiCalls += 1;
      return command.constructor.name === 'ListTagsForResourceCommand' ? { Tags: [{ Key: 'team', Value: 'payments' }] } : { MetricAlarms: [] };
    },
  } as unknown as CloudWatchClient;
  const clock = { now: () => new Date('2026-01-05T10:05:00.000Z') };
  const details = enrichmentSource(config, new CloudWatchAlarmDetails(client, 'eu-west-1', config.cloudwatchAlarms.timeoutMs), clock);
  const deps = {
    store: new InMemoryIncidentStore(), escalator: { start: async () => {}, stop: async () => {} }, rules: compileRules(config), alarmDetails: details,
    clock, sleep: async () => {}, random: () => 0.5, log: () => {},
  };
  let enriched = 0;
  for (let start = 0; start < alerts; start += 100) {
    const batch = Array.from({ length: Math.min(100, alerts - start) }, (_, k) => alarmAlert(start + k, alarms));
    const records = batch.map((a, k) => ({
      recordId: `r${start + k}`,
      envelope: { v: 1 as const, messageKey: messageKeyOf('cloudwatch', [a.deliveryKey]), source: 'cloudwatch', via: 'bench', receivedAt: a.occurredAt, archiveKey: 'raw/bench.json', alerts: [a] },
    }));
    const result = await processEnvelopes(records, deps);
    enriched += result.outcomes.filter((o) => o.trace.some((s) => s.stage === 'enrich' && s.outcome === 'enriched')).length;
  }
  return { alerts, alarms, apiCalls, enriched };
}

export function alarmEnrichmentLine(r: AlarmEnrichmentResult): string {
  return `CloudWatch enrichment: ${fmt(r.apiCalls)} API calls for ${fmt(r.alerts)} alerts of ${r.alarms} alarms (${fmt(r.apiCalls / r.alerts, 4)} per alert; ` +
    `2 per alert uncached); ${fmt(r.enriched)} alerts enriched`;
}
