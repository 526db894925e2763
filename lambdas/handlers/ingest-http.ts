/**
 * Handler: HTTP ingestion (API Gateway HTTP API routes `POST /ingest/...`, README "HTTP contract").
 * The routes come from the source registry (core/normalize/registry.ts) and are dispatched by their auth: a path
 * token (any source's JSON route, and `POST /ingest/eventbridge/{token}`, which dispatches on the event's `source`
 * and `detail-type`), an SNS signature (CloudWatch over SNS HTTPS) or an Events v2 routing key. Each parses and
 * authenticates the request, normalizes the body (400 naming the bad field), then `acceptDelivery` archives it raw
 * and enqueues it durably; only then does it answer 200 (202 for Events v2).
 */
import { randomUUID } from 'node:crypto';
import type { IngestAuth } from '../core/normalize/source';
import { EVENTBRIDGE_INGEST_PATH, preparedSource, SOURCE_ROUTES, SOURCES } from '../core/normalize/registry';
import { S3RawArchive } from '../adapters/s3/s3-raw-archive';
import { SqsAlertQueue } from '../adapters/sqs/sqs-alert-queue';
import { SecretsManagerIntegrationSecrets } from '../adapters/secrets/integration-secrets';
import { DEFAULT_INTEGRATION } from '../core/integrations/config';
import { SnsMessageVerifier } from '../adapters/sns/sns-message-verifier';
import { eventBridge, pathToken } from './ingest/path-token';
import { routingKey } from './ingest/routing-key';
import { ingestOf, type IngestDeps, type IngestRouteHandler } from './ingest/shared';
import { snsSignature } from './ingest/sns-signature';
import { s3Client, secretsClient, sqsClient, once } from './shared/aws';
import { awsMetrics } from './shared/observability';
import { rejectedMetrics } from '../core/metrics';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { httpHandler, isClientError, type HttpEvent, type HttpResult, type RouteHandlers } from './shared/http';
import { EVENTS_V2_MAX_BODY_BYTES, INGEST_MAX_BODY_BYTES, routeKeyOf } from './routes';

export type { IngestDeps } from './ingest/shared';

/** Threat Stack, SNS and Alertmanager bodies: 1 MiB (README.md §HTTP contract). */
export const MAX_BODY_BYTES = INGEST_MAX_BODY_BYTES;
/** PagerDuty Events v2 payload limit. */
export const MAX_EVENTS_V2_BYTES = EVENTS_V2_MAX_BODY_BYTES;

/** How each kind of ingest route is handled (the routes come from the source registry). */
const BY_AUTH: Record<IngestAuth, IngestRouteHandler> = {
  'path-token': pathToken,
  'sns-signature': snsSignature,
  'routing-key': routingKey,
};

export function createIngestHttpHandler(deps: IngestDeps) {
  const ingest = ingestOf(deps);
  // Every source prepared once, up front (generic webhooks: the CEL mappings compile here).
  for (const source of SOURCES) preparedSource(source, deps.config.sources);
  const routes: RouteHandlers = Object.fromEntries(
    SOURCE_ROUTES.map(({ source, route }) => [
      routeKeyOf({ method: 'POST', path: route.path }),
      counted(source, (event: HttpEvent) => BY_AUTH[route.auth](ingest, event, source, route)),
    ]),
  );
  routes[routeKeyOf({ method: 'POST', path: EVENTBRIDGE_INGEST_PATH })] = counted('eventbridge', (event) => eventBridge(ingest, event));
  return httpHandler(routes, { metrics: deps.metrics });

  /** A route whose 4xx refusals (bad body, unknown token, bad signature, too large) count as rejected deliveries. */
  function counted(source: string, route: (event: HttpEvent) => Promise<HttpResult>) {
    return async (event: HttpEvent) => {
      try {
        return await route(event);
      } catch (err) {
        if (isClientError(err)) deps.metrics?.add(rejectedMetrics(source));
        throw err;
      }
    };
  }
}

const awsHandler = once(() => {
  const config = deployedConfig();
  return createIngestHttpHandler({
    config,
    archive: new S3RawArchive(s3Client(), env.archiveBucket()),
    queue: new SqsAlertQueue(sqsClient(), env.queueUrl()),
    integrationSecrets: new SecretsManagerIntegrationSecrets(secretsClient(), {
      ...env.integrationTokenSecrets(),
      [DEFAULT_INTEGRATION]: env.ingestTokenSecretId(),
    }),
    sns: new SnsMessageVerifier({ allowedTopicArns: env.snsAllowedTopicArns() }),
    clock: { now: () => new Date() },
    newRequestId: randomUUID,
    metrics: awsMetrics(),
  });
});

export const handler = (event: HttpEvent, context: import('aws-lambda').Context) => awsHandler()(event, context);

