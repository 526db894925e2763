/** HTML responses of the HTTP handlers: one page layout with the security headers every page carries. */
import { html, trustedHtml, type Html } from '../../core/html';
import type { HttpResult } from './http';

const STYLE = trustedHtml(`<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.card{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem}dt{font-weight:600}dd{margin:0 0 .5rem}
button{font-size:1.1rem;padding:.6rem 1.4rem;border-radius:6px;border:0;background:#1f6feb;color:#fff;cursor:pointer}
.sev1{color:#cf222e}.muted{color:#57606a}pre{white-space:pre-wrap}</style>`);

/** A whole page: `title` is text (escaped), `body` markup built with `html`. */
export function htmlPage(status: number, title: string, body: Html): HttpResult {
  const page = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
${STYLE}</head><body>${body}</body></html>`;
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
    body: page.value,
  };
}
