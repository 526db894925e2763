/** PagerDuty Events v2: the routing key in the body is the credential; answers in Events v2's own shapes. */
import { InvalidPayloadError } from '../../core/errors';
import { normalizeEventsV2 } from '../../core/normalize/events-v2';
import { tokenMatches } from '../../adapters/secrets/token-source';
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
  if (!tokenMatches(normalized.routingKey, await ingest.deps.tokens.tokens())) return json(400, UNKNOWN_KEY);
  await ingest.accept(source, route.via, text, [normalized.alert], ctx);
  return json(202, { status: 'success', message: 'Event processed', dedup_key: normalized.dedupKey });
};
