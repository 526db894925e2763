/**
 * The local runtime's HTTP front door: serves the HTTP_ROUTES table (the same one API Gateway gets) by turning each
 * request into an API Gateway HTTP API (payload 2.0) event and calling the same handler code. Bearer routes first
 * run the same authorizer handler, as API Gateway would.
 *
 * Before it reads a body it decodes the path parameters (a malformed percent-escape is a 400), checks the path token
 * of token routes (404) and the bearer token (401); then it reads the body up to the route's limit (413 as soon as
 * the limit is passed, nothing more buffered). Any error is answered through the handlers' own error mapping
 * (`errorResponse`), so a 500 carries no internal error text, locally as in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadRequestError } from '../core/errors';
import { bodyLimitOf, HTTP_ROUTES, routeKeyOf, type HttpRoute } from '../handlers/routes';
import { errorResponse, type HttpEvent, type HttpResult } from '../handlers/shared/http';

/** API Gateway's request size limit, for routes without a smaller one. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** How long a refused request's remaining body is drained (not kept) before the connection is cut. */
const DRAIN_MS = 2_000;

export type HttpHandler = (event: HttpEvent, context: unknown) => Promise<HttpResult | undefined | void>;
export type Authorizer = (event: { headers: Record<string, string> }) => Promise<{ isAuthorized: boolean; context?: Record<string, string> }>;

type LocalAuth = 'none' | 'bearer' | 'path-token';

export interface ExtraRoute {
  method: 'GET' | 'POST';
  path: string;
  /** `path-token`: the `{token}` path parameter must be an ingest token (checked before the body is read). */
  auth: LocalAuth;
  /** Largest body (bytes); default API Gateway's 10 MiB. */
  maxBodyBytes?: number;
  handle(event: HttpEvent): Promise<HttpResult>;
}

export interface LocalHttpOptions {
  port: number;
  host?: string;
  handlers: Record<HttpRoute['fn'], HttpHandler>;
  authorizer: Authorizer;
  /** Whether a path token is an ingest token (routes with a path token are refused with 404 before the body). */
  pathTokenValid(token: string | undefined): boolean | Promise<boolean>;
  extraRoutes?: ExtraRoute[];
  /** Answers a GET that matches no route (the web console's files), or null for the usual 404. */
  fallback?(pathname: string): HttpResult | null;
}

interface CompiledRoute {
  method: string;
  routeKey: string;
  regex: RegExp;
  params: string[];
  run(event: HttpEvent): Promise<HttpResult>;
  auth: LocalAuth;
  maxBodyBytes: number;
}

function compile(path: string): { regex: RegExp; params: string[] } {
  const params: string[] = [];
  const pattern = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        params.push(m[1]!);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${pattern}$`), params };
}

/** A Lambda-like context for handlers run locally (middy reads getRemainingTimeInMillis when present). */
export function localContext(functionName: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

const isTextual = (contentType: string | undefined) =>
  !contentType || /^(text\/|application\/(json|x-www-form-urlencoded|xml|.*\+json))/i.test(contentType);

/** The route table (routes.ts) with the local runtime's extra routes, compiled to path matchers. */
function compiledRoutes(options: LocalHttpOptions): CompiledRoute[] {
  return [
    ...HTTP_ROUTES.map((r) => ({
      method: r.method,
      routeKey: routeKeyOf(r),
      ...compile(r.path),
      auth: r.auth === 'bearer' ? ('bearer' as const) : r.auth === 'path-token' || r.auth === 'sns-signature' ? ('path-token' as const) : ('none' as const),
      maxBodyBytes: bodyLimitOf(r),
      run: async (event: HttpEvent) => (await options.handlers[r.fn](event, localContext(r.fn))) as HttpResult,
    })),
    ...(options.extraRoutes ?? []).map((r) => ({
      method: r.method, routeKey: `${r.method} ${r.path}`, ...compile(r.path), auth: r.auth, maxBodyBytes: r.maxBodyBytes ?? MAX_REQUEST_BYTES, run: r.handle,
    })),
  ];
}

/**
 * Idle keep-alive connections live 65 s (as behind an AWS load balancer), longer than a client's pool keeps them (it
 * subtracts a margin from the `Keep-Alive: timeout` hint): with Node's 5 s default, a client that reused an idle
 * connection just as the server closed it got ECONNRESET (1,000 concurrent deliveries after an earlier test).
 */
function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

export async function startHttpServer(options: LocalHttpOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const routes = compiledRoutes(options);

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // The same mapping as the Lambda handlers: client errors name the problem, anything else is a bare 500.
      if (!res.headersSent) refuse(req, res, errorResponse(err));
    });
  });
  keepIdleConnections(server);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matches = routes.filter((r) => r.regex.test(url.pathname));
    const route = matches.find((r) => r.method === req.method);
    if (!route && matches.length === 0 && (req.method === 'GET' || req.method === 'HEAD') && options.fallback) {
      const file = options.fallback(url.pathname);
      if (file) {
        req.resume();
        send(res, file);
        return;
      }
    }
    if (!route) {
      const status = matches.length > 0 ? 405 : 404;
      req.resume();
      send(res, errorResult(status, status === 405 ? 'method_not_allowed' : 'not_found', status === 405 ? `use ${matches.map((m) => m.method).join(' or ')}` : 'no such route'));
      return;
    }
    const m = route.regex.exec(url.pathname)!;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((p, i) => (pathParameters[p] = decodePathParameter(p, m[i + 1]!)));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    // Credentials in the path or the headers are checked before a byte of the body is read.
    if (route.auth === 'path-token' && !(await options.pathTokenValid(pathParameters.token))) {
      refuse(req, res, errorResult(404, 'not_found', 'no such ingestion endpoint'));
      return;
    }
    let authorizerContext: Record<string, string> | undefined;
    if (route.auth === 'bearer') {
      const verdict = await options.authorizer({ headers });
      if (!verdict.isAuthorized) {
        refuse(req, res, errorResult(401, 'unauthenticated', 'missing or invalid bearer token'));
        return;
      }
      authorizerContext = verdict.context ?? {};
    }
    const declared = Number(headers['content-length'] ?? 0);
    if (declared > route.maxBodyBytes) {
      refuse(req, res, tooLarge(declared, route.maxBodyBytes));
      return;
    }
    const body = await readLimited(req, route.maxBodyBytes);
    if (typeof body === 'number') {
      refuse(req, res, tooLarge(body, route.maxBodyBytes));
      return;
    }
    const event = apiGatewayEvent(req, url, route, headers, pathParameters, body);
    if (authorizerContext) event.requestContext.authorizer = { lambda: authorizerContext };
    const result = await route.run(event);
    send(res, result ?? { statusCode: 204, headers: {}, body: '' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

/** The API Gateway HTTP API (payload v2) event of a request, as the Lambda handlers receive it. */
function apiGatewayEvent(
  req: IncomingMessage,
  url: URL,
  route: Pick<CompiledRoute, 'routeKey' | 'params'>,
  headers: Record<string, string>,
  pathParameters: Record<string, string>,
  body: Buffer,
): HttpEvent {
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  const event: HttpEvent = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: route.params.length ? pathParameters : undefined,
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
  return event;
}

/** The body, or the byte count at which it passed `limit` (the reading stops there; nothing more is kept). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | number> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve(size);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** A path parameter, percent-decoded; a malformed escape is a 400 naming the parameter. */
export function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(`path parameter ${name} is not valid percent-encoding`, { parameter: name });
  }
}

function tooLarge(size: number, limit: number): HttpResult {
  return { ...errorResult(413, 'payload_too_large', `request body exceeds the limit of ${limit} bytes`), body: JSON.stringify({ error: { code: 'payload_too_large', message: `request body exceeds the limit of ${limit} bytes`, details: { size, limit } } }) };
}

/**
 * Answers a request whose body is not wanted (refused before or while reading it) and closes the connection: the
 * rest of the body is discarded, not kept, for at most DRAIN_MS (so the client can read the answer), then cut.
 */
function refuse(req: IncomingMessage, res: ServerResponse, result: HttpResult): void {
  if (req.complete) {
    send(res, result);
    return;
  }
  send(res, { ...result, headers: { ...result.headers, connection: 'close' } });
  req.on('data', () => undefined);
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
}

function errorResult(statusCode: number, code: string, message: string): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: { code, message, details: null } }) };
}

function send(res: ServerResponse, result: HttpResult): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode, { ...result.headers, 'content-length': String(body.length) });
  res.end(body);
}
