/** The pages of the one-click links (act.ts): every value from an incident, a link or an error is escaped by `html`. */
import { html, type Html } from '../../core/html';
import type { Incident } from '../../core/model/incident';
import type { NonceUse } from '../../core/ports';
import type { HttpResult } from '../shared/http';
import { htmlPage } from '../shared/html';

export const VERB = { acknowledge: 'Acknowledge', resolve: 'Resolve' } as const;
export type LinkAction = keyof typeof VERB;

function incidentCard(inc: Incident | null): Html {
  if (!inc) return html``;
  return html`<div class="card"><h2 class="${inc.severity}">${inc.severity.toUpperCase()}: ${inc.title}</h2>
<dl><dt>Status</dt><dd>${inc.status}</dd><dt>Service</dt><dd>${inc.route.service}</dd>
<dt>Alerts</dt><dd>${inc.alertCount}, last at ${inc.lastSeenAt}</dd><dt>Incident</dt><dd>${inc.id}</dd></dl>
<pre class="muted">${inc.description}</pre></div>`;
}

export function invalidLink(reason: string): HttpResult {
  const why = reason === 'expired' ? 'It has expired.' : 'It was altered or is not one of ours.';
  return htmlPage(403, 'Link not valid', html`<h1>This link is not valid</h1><p>${why}</p>`);
}

export function noSuchIncident(): HttpResult {
  return htmlPage(404, 'No such incident', html`<h1>No such incident</h1><p>This link is for an incident that does not exist (any more). Nothing was done; the link was not used up.</p>`);
}

/** The page of a link that was already used: what it did and when (when recorded), the incident now, no button. */
export function alreadyUsed(use: NonceUse | null, inc: Incident | null): HttpResult {
  const what = use ? html`<p>It was used to ${use.action} this incident at ${use.at}.</p>` : html`<p>It was used before.</p>`;
  return htmlPage(409, 'Link already used', html`<h1>This link was already used</h1>${what}<p>Each link works once.</p>${incidentCard(inc)}`);
}

/** The page a GET shows: the incident and one button (a GET never acts). */
export function confirmPage(action: LinkAction, inc: Incident, expiresAtMs: number): HttpResult {
  const verb = VERB[action];
  return htmlPage(200, `${verb} ${inc.title}`, html`<h1>${verb} this incident?</h1>${incidentCard(inc)}
<form method="post"><p><button type="submit">${verb}</button></p></form>
<p class="muted">The link works once and expires ${new Date(expiresAtMs).toISOString()}.</p>`);
}

export function donePage(action: LinkAction, inc: Incident): HttpResult {
  return htmlPage(200, `${VERB[action]}d`, html`<h1>${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'}</h1>${incidentCard(inc)}`);
}

export function nothingToDo(message: string, inc: Incident | null): HttpResult {
  return htmlPage(200, 'Nothing to do', html`<h1>Nothing to do</h1><p>${message}</p>${incidentCard(inc)}`);
}
