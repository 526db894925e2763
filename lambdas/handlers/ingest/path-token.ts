/** Ingest routes behind the path token: a source's JSON route, and any EventBridge event of a registered type. */
import { NotFoundError } from '../../core/errors';
import { covers, NO_SUCH_ENDPOINT } from '../../core/integrations/authenticate';
import { EVENTBRIDGE_VIA, eventTypeOf, preparedSource } from '../../core/normalize/registry';
import { json, parseJson, readBody, type HttpEvent, type HttpResult } from '../shared/http';
import { INGEST_MAX_BODY_BYTES } from '../routes';
import type { Ingest, IngestRouteHandler } from './shared';

/**
 * A source's JSON route behind the path token: the token, the source's own admission check (Threat Stack's IP
 * allow-list, a known webhook name), then the body (1 MiB), normalized (400 naming the field), archived and
 * enqueued, then 200.
 */
export const pathToken: IngestRouteHandler = async (ingest, event, source, route) => {
  const integration = await ingest.requireToken(event, source);
  const via = route.via.replace('{name}', event.pathParameters?.name ?? '');
  const prepared = preparedSource(source, ingest.deps.config.sources);
  prepared.admit?.({ via, sourceIp: event.requestContext?.http?.sourceIp });
  const text = readBody(event, INGEST_MAX_BODY_BYTES);
  const ctx = ingest.context(event);
  const alerts = prepared.normalize(via, parseJson(text), ctx);
  const result = await ingest.accept(source, via, text, alerts, ctx, integration);
  return json(200, { status: 'accepted', alerts: result.alertCount });
};

/** Any EventBridge event of a registered `source` and `detail-type` (400 naming an unknown pair). */
export async function eventBridge(ingest: Ingest, event: HttpEvent): Promise<HttpResult> {
  const integration = await ingest.requireToken(event, null);
  const text = readBody(event, INGEST_MAX_BODY_BYTES);
  const body = parseJson(text);
  const { source, type } = eventTypeOf(body);
  // The token of another source's integration opens nothing here either.
  if (!covers(integration, source)) throw new NotFoundError(NO_SUCH_ENDPOINT);
  const ctx = ingest.context(event);
  const result = await ingest.accept(source, EVENTBRIDGE_VIA, text, type.normalize(body, ctx), ctx, integration);
  return json(200, { status: 'accepted', alerts: result.alertCount });
}
