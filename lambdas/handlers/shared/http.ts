/**
 * HTTP plumbing shared by the API Gateway (HTTP API, payload v2) handlers: body reading with size limits, JSON
 * parsing that names the problem, responses, and the one place that maps errors to statuses.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import middy, { type MiddlewareObj } from '@middy/core';
import { AlertPipelineError, InvalidPayloadError, NotFoundError, PayloadTooLargeError } from '../../core/errors';
import { checkJsonDepth } from '../../core/normalize/json-depth';
import type { MetricsSink } from '../../core/ports';
import { logger } from './logger';
import { observability } from './observability';

/** The authorizer's part of the request context: a Lambda authorizer's context, or the claims of a verified JWT. */
export interface AuthorizerContext {
  lambda?: Record<string, unknown>;
  jwt?: { claims: Record<string, unknown>; scopes?: string[] | null };
}

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: AuthorizerContext };
};
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string; headers: Record<string, string> };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

const STATUS_BY_CODE: Record<string, number> = {
  invalid_payload: 400,
  bad_request: 400,
  payload_too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  topic_not_allowed: 403,
  bad_signature: 403,
  bad_subscribe_url: 403,
  source_ip_not_allowed: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  invalid_config: 500,
};

/** True when `err` answers a 4xx (the client's fault), not a 5xx. */
export function isClientError(err: unknown): boolean {
  return err instanceof AlertPipelineError && (STATUS_BY_CODE[err.code] ?? 500) < 500;
}

/** Maps any error to the JSON error body of the HTTP contract (README.md §HTTP contract). Only client errors expose their message. */
export function errorResponse(err: unknown): HttpResult {
  if (err instanceof AlertPipelineError) {
    const status = STATUS_BY_CODE[err.code] ?? (err.retryable ? 503 : 500);
    if (status < 500) return json(status, { error: { code: err.code, message: err.message, details: err.details ?? null } });
    logger.error('request failed', { code: err.code, error: err.message });
    return json(status, { error: { code: err.code, message: status === 503 ? 'temporarily unavailable, retry' : 'internal error', details: null } });
  }
  logger.error('unexpected error', { error: err instanceof Error ? err.stack ?? err.message : String(err) });
  return json(500, { error: { code: 'internal', message: 'internal error', details: null } });
}

/** middy middleware: turns a thrown error into the JSON error response. */
export function httpErrors(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      request.response = errorResponse(request.error);
    },
  };
}

/** The raw body as text, decoding base64; rejects bodies over `limitBytes` with 413. */
export function readBody(event: HttpEvent, limitBytes: number): string {
  const raw = event.body ?? '';
  const buf = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (buf.length > limitBytes) throw new PayloadTooLargeError(buf.length, limitBytes);
  return buf.toString('utf8');
}

/**
 * Parses a JSON request body. Empty, nested deeper than MAX_JSON_DEPTH (checked before parsing, so nothing later can
 * overflow the stack) or not JSON -> 400 naming the body.
 */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new InvalidPayloadError([{ path: '(body)', message: 'empty body; expected JSON' }]);
  checkJsonDepth(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidPayloadError([{ path: '(body)', message: `not valid JSON (${(err as Error).message})` }]);
  }
}

export function header(event: HttpEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export type RouteHandlers = Record<string, (event: HttpEvent) => Promise<HttpResult>>;

/** One Lambda serving several routes: dispatch on API Gateway's route key, errors mapped by `httpErrors`. */
/**
 * `afterWrite` runs after every successful non-GET request (a write that may change a status page component: the
 * StatusNotifier); its failure is logged, never the request's.
 */
export function httpHandler(routes: RouteHandlers, options: { afterWrite?: (() => Promise<void>) | undefined; metrics?: MetricsSink | undefined } = {}) {
  return middy<HttpEvent, HttpResult>(async (event: HttpEvent) => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`no route ${event.routeKey}`);
    const result = await route(event);
    if (options.afterWrite && !event.routeKey.startsWith('GET ') && result.statusCode < 400) {
      await options.afterWrite().catch((err: unknown) => logger.warn('status notification failed', { error: String(err) }));
    }
    return result;
  }).use(httpErrors()).use(observability(options.metrics));
}
