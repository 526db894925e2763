/**
 * The normalize stage's public surface: the source registry (`registry.ts`, one descriptor per source, see
 * `source.ts`) and the normalizers' entry points.
 */
export * from './registry';
export type { SourceDescriptor, PreparedSource, IngestRoute, EventBridgeType } from './source';
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
