/** PagerDuty Events v2: the routing key in the body is the credential; answers in Events v2's own shapes. */
import { InvalidPayloadError, NotFoundError } from '../../core/errors';
import { keyedByIntegration, normalizeEventsV2 } from '../../core/normalize/events-v2';
import { DEFAULT_INTEGRATION } from '../../core/integrations/config';
import { json, parseJson, readBody } from '../shared/http';
import { EVENTS_V2_MAX_BODY_BYTES } from '../routes';
import type { IngestRouteHandler } from './shared';

const UNKNOWN_KEY = {
  status: 'invalid event',
  message: 'Event object is invalid',
  errors: ['routing_key: not a known integration key'],
  error: { code: 'invalid_payload', message: 'routing_key is not a known integration key', details: { issues: [{ path: 'routing_key', message: 'unknown integration key' }] } },
};

export const routingKey: IngestRouteHandler = async (ingest, event, source, route) => {
  const text = readBody(event, EVENTS_V2_MAX_BODY_BYTES);
  const ctx = ingest.context(event);
  let normalized: ReturnType<typeof normalizeEventsV2>;
  try {
    normalized = normalizeEventsV2(parseJson(text), ctx);
  } catch (err) {
    if (err instanceof InvalidPayloadError) {
      return json(400, {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: err.issues.map((i) => `${i.path}: ${i.message}`),
        error: { code: err.code, message: err.message, details: err.details },
      });
    }
    throw err;
  }
  let integration;
  try {
    integration = await ingest.requireToken(event, source, normalized.routingKey);
  } catch (err) {
    if (err instanceof NotFoundError) return json(400, UNKNOWN_KEY);
    throw err;
  }
  // A named integration's key rotates: its alerts are keyed by the integration, not by the key.
  const alert = integration.name === DEFAULT_INTEGRATION ? normalized.alert : keyedByIntegration(normalized.alert, integration.name);
  await ingest.accept(source, route.via, text, [alert], ctx, integration);
  return json(202, { status: 'success', message: 'Event processed', dedup_key: normalized.dedupKey });
};
