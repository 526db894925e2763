/**
 * The sources the pipeline accepts, described declaratively (in the spirit of Grafana OnCall integrations): what
 * identifies an alert, what resolves it, what makes a delivery unique, and a real example payload. The registry is
 * documentation that tests hold to the code: each example fixture is normalized and its identity fields compared.
 */
import type { SourceName } from '../model/alert';
import { ALERTMANAGER_IDENTITY_FIELDS } from './alertmanager';
import { CLOUDWATCH_IDENTITY_FIELDS } from './cloudwatch';
import { EVENTS_V2_IDENTITY_FIELDS } from './events-v2';
import { THREATSTACK_IDENTITY_FIELDS } from './threatstack';
import { WEBHOOK_IDENTITY_FIELDS } from './webhook';

export interface SourceDescriptor {
  name: SourceName;
  /** Human name of the sender. */
  displayName: string;
  /** The fields whose values make up the fingerprint, in order (the `identity` of every normalized alert). */
  identityFields: readonly string[];
  /** Format of the fingerprint key before hashing. */
  fingerprintKey: string;
  /** When an alert of this source resolves an incident, in one sentence. */
  resolveCondition: string;
  /** What makes two deliveries the same delivery, in one sentence. */
  idempotencyKey: string;
  /** Path (from the repository root) of a representative payload; its `.expected.json` sibling is the output. */
  exampleFixture: string;
  /** Section of docs/formats.md that specifies the payload. */
  formatsSection: string;
}

export const SOURCE_REGISTRY: Readonly<Record<SourceName, SourceDescriptor>> = {
  threatstack: {
    name: 'threatstack',
    displayName: 'Threat Stack / F5 Distributed Cloud AIP webhook',
    identityFields: THREATSTACK_IDENTITY_FIELDS,
    fingerprintKey: 'ts:<organization_id>:<source>:<server_or_region>:<normalized title>',
    resolveCondition:
      'Never: Threat Stack sends no resolve event, so incidents close by a human, a quiet-period timeout or REST polling of dismissed alerts.',
    idempotencyKey: 'The alert `id` (`ts:<id>`), so a batch resent up to three times is absorbed alert by alert.',
    exampleFixture: 'test/fixtures/events/threatstack/batch-host-and-cloudtrail.json',
    formatsSection: '§1',
  },
  cloudwatch: {
    name: 'cloudwatch',
    displayName: 'Amazon CloudWatch alarms (SNS HTTPS, SNS -> Lambda, SNS -> SQS, EventBridge, alarm -> Lambda)',
    identityFields: CLOUDWATCH_IDENTITY_FIELDS,
    fingerprintKey: 'cw:<AlarmArn>',
    resolveCondition: 'The alarm transitions to OK (`NewStateValue` or `detail.state.value` is "OK"); INSUFFICIENT_DATA is recorded but neither pages nor resolves.',
    idempotencyKey:
      'The transition `cw:<AlarmArn>|<state change time>|<new state>`, identical for every route, so an SNS redelivery and the EventBridge copy of one transition are one delivery.',
    exampleFixture: 'test/fixtures/events/cloudwatch/sns-https-metric-alarm.json',
    formatsSection: '§2, §3',
  },
  'events-v2': {
    name: 'events-v2',
    displayName: 'PagerDuty Events API v2 (compatible senders)',
    identityFields: EVENTS_V2_IDENTITY_FIELDS,
    fingerprintKey: 'pd:<routing_key>:<dedup_key>',
    resolveCondition: 'An event with `event_action: "resolve"` and the same `routing_key` and `dedup_key`.',
    idempotencyKey:
      'None in the payload: each request is its own delivery (`pd:<request id>`) and repeats are absorbed by `dedup_key` grouping.',
    exampleFixture: 'test/fixtures/events/events-v2/trigger.json',
    formatsSection: '§4',
  },
  alertmanager: {
    name: 'alertmanager',
    displayName: 'Prometheus Alertmanager webhook (version 4)',
    identityFields: ALERTMANAGER_IDENTITY_FIELDS,
    fingerprintKey: 'am:<externalURL>:<fingerprint>',
    resolveCondition: 'The alert itself has `status: "resolved"` (per alert, not the group status).',
    idempotencyKey:
      'Per alert `am:<externalURL>:<fingerprint>:<startsAt>:<status>`, so repeat notifications and HA duplicates of one alert state are one delivery.',
    exampleFixture: 'test/fixtures/events/alertmanager/firing-and-resolved.json',
    formatsSection: '§5',
  },
  webhook: {
    name: 'webhook',
    displayName: 'Generic JSON webhook (field mapping declared in config with CEL)',
    identityFields: WEBHOOK_IDENTITY_FIELDS,
    fingerprintKey: 'wh:<webhook name>:<mapping.fingerprint>',
    resolveCondition: 'The mapped `action` is "resolve"; senders without resolves use sources.webhooks[].autoResolveAfterMinutes.',
    idempotencyKey: 'The mapped `deliveryKey` (`wh:<webhook>:<value>`), or the request id and position when none is mapped (every delivery counts).',
    exampleFixture: 'test/fixtures/events/webhook/uptime-down.json',
    formatsSection: 'docs/rules.md (generic webhooks)',
  },
};

export { normalizeThreatStack, normalizeThreatStackTitle, THREATSTACK_IDENTITY_FIELDS } from './threatstack';
export {
  normalizeCloudWatchAlarmMessage,
  normalizeSnsNotification,
  normalizeSnsLambdaEvent,
  normalizeSqsMessageBody,
  normalizeSqsEvent,
  normalizeEventBridgeAlarmEvent,
  normalizeAlarmLambdaEvent,
  normalizeCloudWatchRoute,
  parseCloudWatchAlarmMessage,
  cloudWatchDeliveryKey,
  cloudWatchAlarmUrl,
  CLOUDWATCH_IDENTITY_FIELDS,
  CLOUDWATCH_ROUTES,
  type CloudWatchRoute,
  type CloudWatchMessageMeta,
  type CloudWatchAlarmMessage,
} from './cloudwatch';
export { parseSnsEnvelope, parseSnsHttpBody, parseSnsLambdaEvent, sqsBodiesOf, type SnsEnvelope, type SnsEnvelopeOriginal } from './sns-envelope';
export { normalizeEventsV2, generatedDedupKey, maskRoutingKey, EVENTS_V2_IDENTITY_FIELDS, type EventsV2Result } from './events-v2';
export { normalizeAlertmanager, ALERTMANAGER_IDENTITY_FIELDS } from './alertmanager';
export { DEFAULT_NORMALIZE_OPTIONS, type NormalizeContext, type NormalizeOptions } from './shared';
