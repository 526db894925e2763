/**
 * The local runtime's HTTP front door: serves the HTTP_ROUTES table (the same one API Gateway gets) by turning each
 * request into an API Gateway HTTP API (payload 2.0) event and calling the same handler code. Bearer routes first
 * run the same authorizer handler, as API Gateway would.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_ROUTES, routeKeyOf, type HttpRoute } from '../handlers/routes';
import type { HttpEvent, HttpResult } from '../handlers/shared/http';

/** API Gateway's request size limit; handlers enforce their own smaller limits. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export type HttpHandler = (event: HttpEvent, context: unknown) => Promise<HttpResult | undefined | void>;
export type Authorizer = (event: { headers: Record<string, string> }) => Promise<{ isAuthorized: boolean; context?: Record<string, string> }>;

export interface ExtraRoute {
  method: 'GET' | 'POST';
  path: string;
  auth: 'none' | 'bearer';
  handle(event: HttpEvent): Promise<HttpResult>;
}

export interface LocalHttpOptions {
  port: number;
  host?: string;
  handlers: Record<HttpRoute['fn'], HttpHandler>;
  authorizer: Authorizer;
  extraRoutes?: ExtraRoute[];
}

interface CompiledRoute {
  method: string;
  routeKey: string;
  regex: RegExp;
  params: string[];
  run(event: HttpEvent): Promise<HttpResult>;
  auth: 'none' | 'bearer';
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

export async function startHttpServer(options: LocalHttpOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const routes: CompiledRoute[] = [
    ...HTTP_ROUTES.map((r) => ({
      method: r.method,
      routeKey: routeKeyOf(r),
      ...compile(r.path),
      auth: r.auth === 'bearer' ? ('bearer' as const) : ('none' as const),
      run: async (event: HttpEvent) => (await options.handlers[r.fn](event, localContext(r.fn))) as HttpResult,
    })),
    ...(options.extraRoutes ?? []).map((r) => ({ method: r.method, routeKey: `${r.method} ${r.path}`, ...compile(r.path), auth: r.auth, run: r.handle })),
  ];

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'internal', message: String(err), details: null } }) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matches = routes.filter((r) => r.regex.test(url.pathname));
    const route = matches.find((r) => r.method === req.method);
    if (!route) {
      const status = matches.length > 0 ? 405 : 404;
      req.resume();
      send(res, errorResult(status, status === 405 ? 'method_not_allowed' : 'not_found', status === 405 ? `use ${matches.map((m) => m.method).join(' or ')}` : 'no such route'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES) {
        send(res, errorResult(413, 'payload_too_large', `request body exceeds ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const m = route.regex.exec(url.pathname)!;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((p, i) => (pathParameters[p] = decodeURIComponent(m[i + 1]!)));
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
    if (route.auth === 'bearer') {
      const verdict = await options.authorizer({ headers });
      if (!verdict.isAuthorized) {
        send(res, errorResult(401, 'unauthenticated', 'missing or invalid bearer token'));
        return;
      }
      event.requestContext.authorizer = { lambda: verdict.context ?? {} };
    }
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

function errorResult(statusCode: number, code: string, message: string): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: { code, message, details: null } }) };
}

function send(res: ServerResponse, result: HttpResult): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode, { ...result.headers, 'content-length': String(body.length) });
  res.end(body);
}
