/** What the HTTP ingest routes share: their dependencies, the normalize context, the path token, and the accept step. */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../../core/config/normalize-options';
import type { NormalizedAlert } from '../../core/model/alert';
import type { NormalizeContext } from '../../core/normalize/shared';
import type { IngestRoute } from '../../core/normalize/source';
import type { SourceName } from '../../core/normalize/registry';
import { acceptDelivery, type AcceptResult } from '../../core/pipeline';
import type { AlertQueue, Clock, IntegrationSecrets, MetricsSink, RawArchive, SnsVerifier } from '../../core/ports';
import { integrationsOf, type Integration } from '../../core/integrations/config';
import { ingestAuthenticator } from '../../core/integrations/authenticate';
import { acceptedMetrics } from '../../core/metrics';
import type { HttpEvent, HttpResult } from '../shared/http';
import { logger } from '../shared/logger';

export interface IngestDeps {
  config: PipelineConfig;
  archive: Pick<RawArchive, 'put'>;
  queue: AlertQueue;
  /** The token secret of each integration (`default`: the single ingest token). */
  integrationSecrets: IntegrationSecrets;
  sns: SnsVerifier;
  clock: Clock;
  newRequestId(): string;
  /** Accepted alerts and rejected deliveries per source (flushed once per invocation). */
  metrics?: MetricsSink;
}

/** One ingest route's handling, chosen by the route's auth. */
export type IngestRouteHandler = (ingest: Ingest, event: HttpEvent, source: SourceName, route: IngestRoute) => Promise<HttpResult>;

export interface Ingest {
  deps: IngestDeps;
  /** The normalize context of a request: receive time, request id, the normalize options of the config. */
  context(event: HttpEvent): NormalizeContext;
  /**
   * The integration of a token (the path token unless given): 404 unless it is a live token of an integration that
   * opens `source` (null: any source; the caller then checks `covers`), 403 from outside its `allowedIps`.
   */
  requireToken(event: HttpEvent, source: SourceName | null, token?: string): Promise<Integration>;
  /** Archives and enqueues a normalized delivery (acceptDelivery) that came through `integration`, logged. */
  accept(source: SourceName, via: string, rawBody: string, alerts: NormalizedAlert[], ctx: NormalizeContext, integration: Integration): Promise<AcceptResult>;
}

export function ingestOf(deps: IngestDeps): Ingest {
  const options = normalizeOptionsFrom(deps.config);
  const authenticator = ingestAuthenticator(integrationsOf(deps.config.integrations), deps.integrationSecrets);
  return {
    deps,
    context: (event) => ({
      receivedAt: deps.clock.now().toISOString(),
      requestId: event.requestContext?.requestId || deps.newRequestId(),
      options,
    }),
    requireToken: (event, source, token = event.pathParameters?.token) =>
      authenticator.authenticate({ source, token, sourceIp: event.requestContext?.http?.sourceIp, nowMs: deps.clock.now().getTime() }),
    async accept(source, via, rawBody, alerts, ctx, integration) {
      const delivery = { source, via, integration: integration.name, rawBody, alerts, receivedAt: ctx.receivedAt, requestId: ctx.requestId };
      const result = await acceptDelivery(delivery, deps);
      // DEBUG: the access log line (request id, route, status) and the AlertsAccepted metric record every accepted request.
      logger.debug('delivery accepted', { source, via, integration: integration.name, alerts: result.alertCount, messages: result.messageKeys.length, archiveKey: result.archiveKey });
      deps.metrics?.add(acceptedMetrics(source, result.alertCount));
      return result;
    },
  };
}
