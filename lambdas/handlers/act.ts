/**
 * Handler: one-click links from notifications and calendar feeds.
 *   GET  /act/{token}  shows the incident and one button (mail scanners and chat previews fetch links; a GET must
 *                      not acknowledge anything), POST /act/{token} acts: acknowledge or resolve, once (the
 *                      link's nonce is recorded with what it did and when), until it expires; a used link's
 *                      page says so, without a button; a link for an incident that does not exist is a 404 and
 *                      stays unused;
 *   GET  /ical/{token} the iCalendar feed of one schedule.
 */
import type { Context } from 'aws-lambda';
import { ConflictError, NotFoundError } from '../core/errors';
import { actOnIncident } from '../core/incident-actions';
import type { Incident } from '../core/model/incident';
import type { NonceUse } from '../core/ports';
import { verifyActionToken } from '../core/notify/action-links';
import { verifyFeedToken } from '../core/notify/feed-links';
import { escapeHtml } from '../core/notify/messages';
import { icalFeed } from '../core/oncall/ical';
import { once } from './shared/aws';
import { awsIncidentOperations, type IncidentOperationsDeps } from './shared/escalation';
import { httpHandler, type HttpEvent, type HttpResult, type RouteHandlers } from './shared/http';

export type ActDeps = IncidentOperationsDeps;

const VERB = { acknowledge: 'Acknowledge', resolve: 'Resolve' } as const;
const DAY = 24 * 3600 * 1000;

function page(status: number, title: string, body: string): HttpResult {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.card{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem}dt{font-weight:600}dd{margin:0 0 .5rem}
button{font-size:1.1rem;padding:.6rem 1.4rem;border-radius:6px;border:0;background:#1f6feb;color:#fff;cursor:pointer}
.sev1{color:#cf222e}.muted{color:#57606a}pre{white-space:pre-wrap}</style></head><body>${body}</body></html>`;
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
    body: html,
  };
}

function incidentCard(inc: Incident): string {
  return `<div class="card"><h2 class="${escapeHtml(inc.severity)}">${escapeHtml(inc.severity.toUpperCase())}: ${escapeHtml(inc.title)}</h2>
<dl><dt>Status</dt><dd>${escapeHtml(inc.status)}</dd><dt>Service</dt><dd>${escapeHtml(inc.route.service)}</dd>
<dt>Alerts</dt><dd>${inc.alertCount}, last at ${escapeHtml(inc.lastSeenAt)}</dd><dt>Incident</dt><dd>${escapeHtml(inc.id)}</dd></dl>
<pre class="muted">${escapeHtml(inc.description)}</pre></div>`;
}

function noSuchIncident(): HttpResult {
  return page(404, 'No such incident', '<h1>No such incident</h1><p>This link is for an incident that does not exist (any more). Nothing was done; the link was not used up.</p>');
}

/** The page of a link that was already used: what it did and when (when recorded), the incident now, no button. */
function alreadyUsed(use: NonceUse | null, inc: Incident | null): HttpResult {
  const what = use
    ? `<p>It was used to ${escapeHtml(use.action)} this incident at ${escapeHtml(use.at)}.</p>`
    : '<p>It was used before.</p>';
  return page(409, 'Link already used', `<h1>This link was already used</h1>${what}<p>Each link works once.</p>${inc ? incidentCard(inc) : ''}`);
}

export function createActHandler(deps: ActDeps) {
  async function claimsOf(token: string) {
    const check = verifyActionToken(token, await deps.linkKeys.tokens(), deps.clock.now().getTime());
    return check;
  }

  const routes: RouteHandlers = {
    'GET /act/{token}': async (event) => {
      const check = await claimsOf(event.pathParameters?.token ?? '');
      if (!check.ok) return page(403, 'Link not valid', `<h1>This link is not valid</h1><p>${check.reason === 'expired' ? 'It has expired.' : 'It was altered or is not one of ours.'}</p>`);
      const inc = await deps.store.getIncident(check.claims.incidentId);
      if (!inc) return noSuchIncident();
      const used = await deps.ops.usedNonce(check.claims.nonce);
      if (used) return alreadyUsed(used.use, inc);
      const verb = VERB[check.claims.action];
      return page(200, `${verb} ${inc.title}`, `<h1>${verb} this incident?</h1>${incidentCard(inc)}
<form method="post"><p><button type="submit">${verb}</button></p></form>
<p class="muted">The link works once and expires ${escapeHtml(new Date(check.claims.expiresAtMs).toISOString())}.</p>`);
    },
    'POST /act/{token}': async (event) => {
      const check = await claimsOf(event.pathParameters?.token ?? '');
      if (!check.ok) return page(403, 'Link not valid', `<h1>This link is not valid</h1><p>${check.reason === 'expired' ? 'It has expired.' : 'It was altered or is not one of ours.'}</p>`);
      const { incidentId, action, nonce, expiresAtMs } = check.claims;
      // A link for an incident that does not exist does nothing, so it is not used up either.
      if (!(await deps.store.getIncident(incidentId))) return noSuchIncident();
      if (!(await deps.ops.consumeNonce(nonce, new Date(expiresAtMs).toISOString(), { at: deps.clock.now().toISOString(), action }))) {
        const used = await deps.ops.usedNonce(nonce);
        return alreadyUsed(used?.use ?? null, await deps.store.getIncident(incidentId));
      }
      try {
        const inc = await actOnIncident(deps, incidentId, action, 'link');
        return page(200, `${VERB[action]}d`, `<h1>${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'}</h1>${incidentCard(inc)}`);
      } catch (err) {
        if (err instanceof ConflictError) {
          const inc = await deps.store.getIncident(incidentId);
          return page(200, 'Nothing to do', `<h1>Nothing to do</h1><p>${escapeHtml(err.message)}</p>${inc ? incidentCard(inc) : ''}`);
        }
        if (err instanceof NotFoundError) return noSuchIncident();
        throw err;
      }
    },
    'GET /ical/{token}': async (event): Promise<HttpResult> => {
      const schedule = verifyFeedToken(event.pathParameters?.token ?? '', await deps.linkKeys.tokens());
      const config = schedule ? deps.config.schedules.find((s) => s.name === schedule) : undefined;
      if (!config) return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'no such calendar' };
      const nowMs = deps.clock.now().getTime();
      const overrides = await deps.ops.listOverrides(config.name);
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'max-age=300' },
        body: icalFeed(config, overrides, deps.config.people, nowMs - 7 * DAY, nowMs + 60 * DAY, nowMs),
      };
    },
  };

  return httpHandler(routes);
}

const awsHandler = once(() => createActHandler(awsIncidentOperations()));

export const handler = (event: HttpEvent, context: Context) => awsHandler()(event, context);
