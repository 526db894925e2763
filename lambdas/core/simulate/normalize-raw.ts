/**
 * Stage "normalize" for simulation and replay: turns a raw body, as an ingest route received (and archived) it, into
 * the alerts that route would have enqueued. It dispatches on the archive metadata `source` and `via` to the same
 * normalizer functions the handlers use (ingest-http.ts, ingest-sns.ts, ingest-eventbridge.ts). Pure.
 *
 * Differences from the live routes, on purpose:
 * - no authentication: path tokens, the Events v2 routing key, source IP allow-lists and SNS signatures (and the
 *   topic allow-list) are not checked; a replayed body was already accepted once;
 * - SNS subscription/unsubscribe confirmations are rejected here (the live route answers them without archiving).
 *
 * Shapes accepted per source / via:
 *   threatstack   threatstack-webhook (default)  a batch `{alerts: [...]}` or one bare alert
 *   cloudwatch    sns-https                      the SNS HTTPS envelope (text or parsed)
 *                 sns-lambda                     one SNS record `{EventSource, Sns}` (what ingest-sns archives) or a
 *                                                whole `{Records: [...]}` event
 *                 eventbridge                    the "CloudWatch Alarm State Change" event
 *                 sns-sqs, alarm-lambda          as normalizeCloudWatchRoute
 *                 alarm-message                  the bare alarm JSON CloudWatch publishes to SNS (labelled as
 *                                                `via: sns-lambda`, as the stack's alarm topic would deliver it)
 *                 (none)                         detected from the shape, in that order of checks
 *   events-v2     events-v2 (default)
 *   alertmanager  alertmanager-webhook (default)
 *   webhook       webhook:<name>                 the mapping `sources.webhooks[<name>]` of the config
 */
import { invalidField, type NormalizeContext } from '../normalize/shared';
import { normalizeThreatStack } from '../normalize/threatstack';
import {
  normalizeCloudWatchAlarmMessage,
  normalizeCloudWatchRoute,
  normalizeSnsNotification,
  CLOUDWATCH_ROUTES,
  type CloudWatchRoute,
} from '../normalize/cloudwatch';
import { parseJsonText, parseSnsEnvelope } from '../normalize/sns-envelope';
import { normalizeEventsV2 } from '../normalize/events-v2';
import { normalizeAlertmanager } from '../normalize/alertmanager';
import { compileWebhook, type WebhookNormalizer } from '../normalize/webhook';
import { normalizeOptionsFrom } from '../config/normalize-options';
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { SOURCES, type NormalizedAlert, type SourceName } from '../model/alert';

/** The `via` each source's HTTP route records in the archive metadata. */
export const DEFAULT_VIA: Readonly<Record<Exclude<SourceName, 'webhook'>, string>> = {
  threatstack: 'threatstack-webhook',
  cloudwatch: 'sns-https',
  'events-v2': 'events-v2',
  alertmanager: 'alertmanager-webhook',
};

/** The context of one delivery; `options` default to the config's normalizer options. */
export type RawContext = Omit<NormalizeContext, 'options'> & { options?: NormalizeContext['options'] };

const webhookCache = new WeakMap<PipelineConfig, Map<string, WebhookNormalizer>>();

function webhookNormalizer(config: PipelineConfig, name: string): WebhookNormalizer {
  let byName = webhookCache.get(config);
  if (!byName) {
    byName = new Map();
    webhookCache.set(config, byName);
  }
  let normalize = byName.get(name);
  if (!normalize) {
    const webhook = config.sources.webhooks.find((w) => w.name === name);
    if (!webhook) {
      const known = config.sources.webhooks.map((w) => w.name);
      throw invalidField('', `no webhook "${name}" in this config (webhooks: ${known.length ? known.join(', ') : 'none'})`);
    }
    normalize = compileWebhook(webhook);
    byName.set(name, normalize);
  }
  return normalize;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Which CloudWatch shape a body is, when the route is not known. */
export function detectCloudWatchVia(body: unknown): CloudWatchRoute | 'alarm-message' {
  if (isRecord(body)) {
    if ('Type' in body && 'Message' in body) return 'sns-https';
    if ('Sns' in body) return 'sns-lambda';
    if (Array.isArray(body.Records)) {
      const first = body.Records[0];
      return isRecord(first) && 'body' in first ? 'sns-sqs' : 'sns-lambda';
    }
    if ('detail-type' in body) return 'eventbridge';
    if ('alarmData' in body) return 'alarm-lambda';
  }
  return 'alarm-message';
}

function normalizeCloudWatch(via: string | undefined, body: unknown, ctx: NormalizeContext): NormalizedAlert[] {
  const route = via ?? detectCloudWatchVia(body);
  if (route === 'alarm-message') return [normalizeCloudWatchAlarmMessage(body, { via: 'sns-lambda' }, ctx)];
  if (route === 'sns-lambda' && isRecord(body) && !Array.isArray(body.Records)) {
    // ingest-sns archives each record on its own.
    return [normalizeSnsNotification(parseSnsEnvelope(body.Sns, ['Sns']), 'sns-lambda', ctx)];
  }
  if ((CLOUDWATCH_ROUTES as readonly string[]).includes(route)) return normalizeCloudWatchRoute(route as CloudWatchRoute, body, ctx);
  throw invalidField('', `unknown CloudWatch route "${route}" (expected ${[...CLOUDWATCH_ROUTES, 'alarm-message'].join(', ')})`);
}

/**
 * Normalizes one raw body as the ingest route `via` of `source` would have. A body the route would reject throws the
 * same InvalidPayloadError (naming the field); a string body is parsed as JSON first, as the routes do.
 */
export function normalizeRaw(source: SourceName, via: string | undefined, body: unknown, ctx: RawContext, config: PipelineConfig): NormalizedAlert[] {
  const full: NormalizeContext = { receivedAt: ctx.receivedAt, requestId: ctx.requestId, options: ctx.options ?? normalizeOptionsFrom(config) };
  const value = typeof body === 'string' ? parseJsonText(body, []) : body;
  switch (source) {
    case 'threatstack':
      return normalizeThreatStack(value, full);
    case 'cloudwatch':
      return normalizeCloudWatch(via, value, full);
    case 'events-v2':
      return [normalizeEventsV2(value, full).alert];
    case 'alertmanager':
      return normalizeAlertmanager(value, full);
    case 'webhook': {
      const name = via?.startsWith('webhook:') ? via.slice('webhook:'.length) : undefined;
      if (!name) throw invalidField('', `a webhook body needs via "webhook:<name>" (got ${via === undefined ? 'none' : `"${via}"`})`);
      return webhookNormalizer(config, name)(value, full);
    }
    default:
      throw invalidField('', `unknown source "${String(source)}" (expected ${SOURCES.join(', ')})`);
  }
}

/** The `via` recorded for a body of `source` when none is given. */
export function defaultViaOf(source: SourceName, body: unknown): string | undefined {
  if (source === 'webhook') return undefined;
  if (source === 'cloudwatch') return detectCloudWatchVia(typeof body === 'string' ? safeJson(body) : body);
  return DEFAULT_VIA[source];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
