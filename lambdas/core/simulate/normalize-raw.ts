/**
 * Stage "normalize" for simulation and replay: turns a raw body, as an ingest route received (and archived) it, into
 * the alerts that route would have enqueued. It dispatches on the archive metadata `source` and `via` through the source
 * registry (normalize/registry.ts), to the same prepared normalizers the handlers use. Pure.
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
import { parseJsonText } from '../normalize/sns-envelope';
import { detectCloudWatchVia } from '../normalize/cloudwatch';
import { isSourceName, preparedSource, sourceDescriptor, SOURCES, type SourceName } from '../normalize/registry';
import { normalizeOptionsFrom } from '../config/normalize-options';
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { NormalizedAlert } from '../model/alert';

export { detectCloudWatchVia };

/** The context of one delivery; `options` default to the config's normalizer options. */
export type RawContext = Omit<NormalizeContext, 'options'> & { options?: NormalizeContext['options'] };

/**
 * Normalizes one raw body as the ingest route `via` of `source` would have. A body the route would reject throws the
 * same InvalidPayloadError (naming the field); a string body is parsed as JSON first, as the routes do.
 */
export function normalizeRaw(source: SourceName, via: string | undefined, body: unknown, ctx: RawContext, config: PipelineConfig): NormalizedAlert[] {
  if (!isSourceName(source)) throw invalidField('', `unknown source "${String(source)}" (expected ${SOURCES.join(', ')})`);
  const full: NormalizeContext = { receivedAt: ctx.receivedAt, requestId: ctx.requestId, options: ctx.options ?? normalizeOptionsFrom(config) };
  const value = typeof body === 'string' ? parseJsonText(body, []) : body;
  return preparedSource(source, config.sources).normalize(via, value, full);
}

/** The `via` recorded for a body of `source` when none is given. */
export function defaultViaOf(source: SourceName, body: unknown): string | undefined {
  const d = sourceDescriptor(source);
  return d.detectVia ? d.detectVia(typeof body === 'string' ? safeJson(body) : body) : d.defaultVia;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
