/**
 * The web console, served by the local runtime at `/` from its Vite build (web/dist; `npm start` builds it first),
 * with `/config.json` telling it how to log in (locally: paste a token). Only the build's own files are served:
 * index.html at `/`, hashed files under /assets/. Content-Security-Policy: scripts only from the same origin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpResult } from '../handlers/shared/http';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml', png: 'image/png', ico: 'image/x-icon', woff2: 'font/woff2', json: 'application/json',
};

/** The console's Content-Security-Policy (Mantine injects its CSS variables as inline styles). */
export function consoleCsp(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
    `connect-src 'self'${connectSrc.map((s) => ` ${s}`).join('')}`, "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'",
  ].join('; ');
}

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

/** The console's answer for a GET of `pathname`, or null when it is not a console file (the caller answers 404). */
export function consoleFile(dir: string, pathname: string): HttpResult | null {
  if (pathname === '/config.json') {
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...SECURITY_HEADERS }, body: JSON.stringify({ auth: { kind: 'token' } }) };
  }
  const rel = pathname === '/' || pathname === '/index.html' ? 'index.html' : pathname.slice(1);
  if (rel !== 'index.html' && !/^assets\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(rel)) return null;
  const file = join(dir, rel);
  if (!existsSync(file)) {
    if (rel !== 'index.html') return null;
    return {
      statusCode: 503,
      headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS },
      body: '<!doctype html><title>Console not built</title><p>The web console is not built: run <code>npm run build:console</code> (<code>npm start</code> builds it).</p>',
    };
  }
  const ext = rel.slice(rel.lastIndexOf('.') + 1);
  return {
    statusCode: 200,
    headers: {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      // Hashed asset names change with their content; index.html is checked every time.
      'cache-control': rel === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      ...(rel === 'index.html' ? { 'content-security-policy': consoleCsp() } : {}),
      ...SECURITY_HEADERS,
    },
    body: readFileSync(file).toString('base64'),
    isBase64Encoded: true,
  };
}
