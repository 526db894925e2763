/** Test support for notification channels: a minimal config with given channels, and a loopback HTTP receiver. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The smallest valid config input, with these channels. */
export function defaultConfigInput(channels: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    version: 1,
    teams: [{ name: 'platform' }],
    services: [{ name: 'platform', team: 'platform' }],
    routing: { default: { service: 'platform', escalationPolicy: 'default' } },
    channels,
  };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers with `status` (200 unless changed). */
export async function startReceiver(): Promise<{ url: string; requests: ReceivedRequest[]; respondWith(status: number, body?: string): void; close(): Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  let answer = { status: 200, body: '{}' };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(status, body = '') {
      answer = { status, body };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
