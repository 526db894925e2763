/** What the HTTP ingest routes share: their dependencies, the normalize context, the path token, and the accept step. */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { normalizeOptionsFrom } from '../../core/config/normalize-options';
import { NotFoundError } from '../../core/errors';
import type { NormalizedAlert } from '../../core/model/alert';
import type { NormalizeContext } from '../../core/normalize/shared';
import type { IngestRoute } from '../../core/normalize/source';
import type { SourceName } from '../../core/normalize/registry';
import { acceptDelivery, type AcceptResult } from '../../core/pipeline';
import type { AlertQueue, Clock, MetricsSink, RawArchive, SnsVerifier, TokenSource } from '../../core/ports';
import { acceptedMetrics } from '../../core/metrics';
import { tokenMatches } from '../../adapters/secrets/token-source';
import type { HttpEvent, HttpResult } from '../shared/http';
import { logger } from '../shared/logger';

export interface IngestDeps {
  config: PipelineConfig;
  archive: RawArchive;
  queue: AlertQueue;
  tokens: TokenSource;
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
  /** 404 unless the path token is one of the ingest tokens (compared in constant time). */
  requireToken(event: HttpEvent): Promise<void>;
  /** Archives and enqueues a normalized delivery (acceptDelivery), logged. */
  accept(source: SourceName, via: string, rawBody: string, alerts: NormalizedAlert[], ctx: NormalizeContext): Promise<AcceptResult>;
}

export function ingestOf(deps: IngestDeps): Ingest {
  const options = normalizeOptionsFrom(deps.config);
  return {
    deps,
    context: (event) => ({
      receivedAt: deps.clock.now().toISOString(),
      requestId: event.requestContext?.requestId || deps.newRequestId(),
      options,
    }),
    async requireToken(event) {
      const token = event.pathParameters?.token;
      if (!tokenMatches(token, await deps.tokens.tokens())) throw new NotFoundError('no such ingestion endpoint');
    },
    async accept(source, via, rawBody, alerts, ctx) {
      const result = await acceptDelivery({ source, via, rawBody, alerts, receivedAt: ctx.receivedAt, requestId: ctx.requestId }, deps);
      logger.info('delivery accepted', { source, via, alerts: result.alertCount, messages: result.messageKeys.length, archiveKey: result.archiveKey });
      deps.metrics?.add(acceptedMetrics(source, result.alertCount));
      return result;
    },
  };
}
