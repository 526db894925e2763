/**
 * The status site renderer: one input (site.ts), three public files and the private page. Pure.
 *
 *   status/index.html   the public page: no JavaScript, refreshes itself, semantic and accessible, fits a phone,
 *                       90-day uptime bars as plain HTML/CSS
 *   status.json         Statuspage's /api/v2/summary.json shape (page, status, components, incidents,
 *                       scheduled_maintenances)
 *   status/feed.atom    Atom feed of the published updates and scheduled maintenance
 *
 * The public files show only component names and descriptions, statuses, uptime, the published status
 * incidents (title, stage, message, time) and public maintenance windows (name, reason, time). Never an internal
 * incident, its id, title or payload, a service that is not a component of the public page, an override's reason
 * or who published an update: those are on the private page (`renderPrivatePage`), served behind the API bearer.
 */
import { Feed } from 'feed';
import { html, trustedHtml, type Html } from '../html';
import type { ComponentState, ComponentStatus, StatusIncident, StatusWhy } from './model';
import type { StatusSiteInput } from './site-input';
import type { StatusFile } from './model';

export type { StatusFile } from './model';

export const STATUS_FILES = { html: 'status/index.html', json: 'status.json', feed: 'status/feed.atom' } as const;
/** How often the page reloads itself, and how long a CDN may cache the files. */
export const REFRESH_SECONDS = 60;
const CACHE_SECONDS = 30;

const LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

type Indicator = 'none' | 'minor' | 'major' | 'critical';
const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

/** Statuspage's page indicator and description from the worst component status. */
export function pageIndicator(statuses: readonly ComponentStatus[]): { indicator: Indicator; description: string } {
  const w = statuses.reduce<ComponentStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'operational');
  switch (w) {
    case 'major_outage': return { indicator: 'critical', description: 'Major System Outage' };
    case 'partial_outage': return { indicator: 'major', description: 'Partial System Outage' };
    case 'degraded_performance': return { indicator: 'minor', description: 'Partially Degraded Service' };
    case 'under_maintenance': return { indicator: 'none', description: 'Service Under Maintenance' };
    default: return { indicator: 'none', description: 'All Systems Operational' };
  }
}

const impactOf = (s: ComponentStatus): 'none' | 'minor' | 'major' | 'critical' | 'maintenance' =>
  s === 'under_maintenance' ? 'maintenance' : pageIndicator([s]).indicator;

function publicPage(input: StatusSiteInput) {
  const page = input.config.pages.find((p) => p.visibility === 'public')!;
  return page;
}

const fmtTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function displayName(input: StatusSiteInput, service: string): string {
  return input.config.components.find((c) => c.service === service)?.displayName ?? service;
}

/** The reason a visitor may read: a dependency shown on the same page, or a maintenance window. */
function publicWhy(input: StatusSiteInput, state: ComponentState, onPage: readonly string[]): string[] {
  return state.why.flatMap((w) => {
    if (w.kind === 'dependency') return [onPage.includes(w.service) ? `Affected by ${displayName(input, w.service)}` : 'Affected by a dependency'];
    if (w.kind === 'maintenance') return [`Scheduled maintenance until ${fmtTime(w.until)}`];
    return [];
  });
}

function privateWhy(input: StatusSiteInput, w: StatusWhy): string {
  switch (w.kind) {
    case 'incident': return `Incident ${w.incidentId} (${w.severity}, ${w.incidentStatus}) -> ${LABELS[w.status]}`;
    case 'dependency': return `Depends on ${displayName(input, w.service)} [${w.service}] (${LABELS[w.dependencyStatus]}, impact ${w.impact}) -> ${LABELS[w.status]}`;
    case 'override': return `Override ${w.id} until ${fmtTime(w.until)}${w.reason ? `: ${w.reason}` : ''}`;
    case 'maintenance': return `Maintenance window ${w.name} until ${fmtTime(w.until)}`;
  }
}

function uptimeBars(input: StatusSiteInput, service: string): Html {
  const days = input.uptimeDays[service] ?? [];
  const bars = days.map((d) => {
    const label = d.worst === null ? `${d.date}: no data` : `${d.date}: ${LABELS[d.worst]}${d.uptime === null ? '' : `, ${(d.uptime * 100).toFixed(2)}% uptime`}`;
    return html`<li class="bar s-${d.worst ?? 'none'}" title="${label}"><span class="vh">${label}</span></li>`;
  });
  const u = input.uptime90[service];
  const figure = u === null || u === undefined ? 'no data' : `${(u * 100).toFixed(2)}% uptime`;
  return html`<div class="uptime"><ol class="bars" aria-label="Last ${days.length} days">${bars}</ol><p class="meta"><span>${days.length} days ago</span><span>${figure}</span><span>Today</span></p></div>`;
}

function componentItem(input: StatusSiteInput, service: string, onPage: readonly string[], visibility: 'public' | 'private'): Html {
  const def = input.config.components.find((c) => c.service === service)!;
  const state = input.states[service]!;
  const reasons = visibility === 'public' ? publicWhy(input, state, onPage) : state.why.map((w) => privateWhy(input, w));
  return html`<li class="component" data-component="${service}" data-status="${state.status}">
<div class="row"><h4>${def.displayName ?? service}</h4><p class="status s-${state.status}"><span class="dot" aria-hidden="true"></span>${LABELS[state.status]}</p></div>
${def.description ? html`<p class="desc">${def.description}</p>` : null}${reasons.length ? html`<ul class="why">${reasons.map((r) => html`<li>${r}</li>`)}</ul>` : null}${uptimeBars(input, service)}</li>
`;
}

function componentsSection(input: StatusSiteInput, onPage: readonly string[], visibility: 'public' | 'private'): Html[] {
  const groups = new Map<string | null, string[]>();
  for (const s of onPage) {
    const g = input.config.components.find((c) => c.service === s)?.group ?? null;
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  return [...groups].map(([g, services]) => {
    const name = g === null ? null : input.config.groups.find((x) => x.name === g)?.displayName ?? g;
    return html`<section aria-label="${name ?? 'Components'}">${name === null ? null : html`<h3 class="group">${name}</h3>`}<ul class="components">${services.map((s) => componentItem(input, s, onPage, visibility))}</ul></section>
`;
  });
}

function incidentArticle(input: StatusSiteInput, inc: StatusIncident, onPage: readonly string[], visibility: 'public' | 'private'): Html {
  const affected = inc.components.filter((c) => onPage.includes(c)).map((c) => displayName(input, c));
  const updates = [...inc.updates].reverse().map((u) =>
    html`<li><p><strong>${u.status[0]!.toUpperCase() + u.status.slice(1)}</strong> &middot; <time datetime="${u.at}">${fmtTime(u.at)}</time>${visibility === 'private' ? html` &middot; by ${u.by}` : null}</p><p>${u.message}</p></li>`);
  const internal = visibility === 'private' && inc.incidentIds.length ? html`<p class="meta">Internal incidents: ${inc.incidentIds.join(', ')}</p>` : null;
  return html`<article class="incident" id="incident-${inc.id}" data-status-incident="${inc.id}"><h3>${inc.title}</h3>${affected.length ? html`<p class="meta">Affects: ${affected.join(', ')}</p>` : null}${internal}<ol class="updates">${updates}</ol></article>
`;
}

function maintenanceArticle(input: StatusSiteInput, m: StatusSiteInput['maintenances'][number], onPage: readonly string[]): Html {
  const affected = m.services.filter((c) => onPage.includes(c)).map((c) => displayName(input, c));
  return html`<article class="maintenance"><h3>${m.name}</h3><p>${m.inProgress ? 'In progress' : 'Scheduled'}: <time datetime="${m.start}">${fmtTime(m.start)}</time> to <time datetime="${m.end}">${fmtTime(m.end)}</time></p>${m.reason ? html`<p>${m.reason}</p>` : null}${affected.length ? html`<p class="meta">Affects: ${affected.join(', ')}</p>` : null}</article>
`;
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#f6f8fa}
main{max-width:52rem;margin:0 auto;padding:1rem}header h1{font-size:1.6rem;margin:.5rem 0}
.banner{padding:1rem;border-radius:6px;color:#fff;font-weight:600;font-size:1.15rem}.i-none{background:#1a7f37}.i-minor{background:#9a6700}.i-major{background:#bc4c00}.i-critical{background:#cf222e}.i-maintenance{background:#0969da}
.components{list-style:none;padding:0;margin:0;background:#fff;border:1px solid #d0d7de;border-radius:6px}.component{padding:.75rem 1rem;border-top:1px solid #d0d7de}.component:first-child{border-top:0}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.5rem}.row h4{margin:0;font-size:1.05rem}.status{margin:0;font-weight:600}
.dot{display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:.4em;background:currentColor}
.s-operational{color:#1a7f37}.s-degraded_performance{color:#9a6700}.s-partial_outage{color:#bc4c00}.s-major_outage{color:#cf222e}.s-under_maintenance{color:#0969da}
.desc,.meta{color:#57606a;font-size:.9rem;margin:.25rem 0}.why{margin:.25rem 0;padding-left:1.2rem;font-size:.9rem}
.bars{display:flex;gap:1px;list-style:none;padding:0;margin:.5rem 0 0;height:2rem}.bar{flex:1;border-radius:1px;background:#8c959f}
.bar.s-operational{background:#2da44e}.bar.s-degraded_performance{background:#d4a72c}.bar.s-partial_outage{background:#fb8f44}.bar.s-major_outage{background:#cf222e}.bar.s-under_maintenance{background:#0969da}.bar.s-none{background:#d0d7de}
.uptime .meta{display:flex;justify-content:space-between}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
article{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}article h3{margin:0}.updates{list-style:none;padding:0}.updates p{margin:.2rem 0}
footer{color:#57606a;font-size:.85rem;margin:2rem 0}a{color:#0969da}
@media (max-width:480px){main{padding:.5rem}.bars{height:1.5rem}}`;

function page(input: StatusSiteInput, title: string, onPage: readonly string[], visibility: 'public' | 'private'): string {
  const { indicator, description } = pageIndicator(onPage.map((c) => input.states[c]!.status));
  const banner = description === 'Service Under Maintenance' ? 'maintenance' : indicator;
  const incidents = input.statusIncidents.filter((i) => visibility === 'private' || i.components.some((c) => onPage.includes(c)));
  const open = incidents.filter((i) => i.resolvedAt === null).map((i) => incidentArticle(input, i, onPage, visibility));
  const past = incidents.filter((i) => i.resolvedAt !== null).map((i) => incidentArticle(input, i, onPage, visibility));
  const maint = input.maintenances.filter((m) => m.services.some((c) => onPage.includes(c))).map((m) => maintenanceArticle(input, m, onPage));
  const pub = visibility === 'public';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
${pub ? null : trustedHtml('<meta name="robots" content="noindex">\n')}<title>${title}</title>
${pub ? html`<link rel="alternate" type="application/atom+xml" title="${title} updates" href="/status/feed.atom">` : null}
<style>${trustedHtml(CSS)}</style>
</head>
<body>
<main>
<header><h1>${title}</h1>
<p class="banner i-${banner}" role="status" data-indicator="${indicator}">${description}</p></header>
${open.length ? html`<section aria-labelledby="h-active"><h2 id="h-active">Active incidents</h2>${open}</section>` : null}
${maint.length ? html`<section aria-labelledby="h-maint"><h2 id="h-maint">Scheduled maintenance</h2>${maint}</section>` : null}
<section aria-labelledby="h-components"><h2 id="h-components">Components</h2>
${componentsSection(input, onPage, visibility)}</section>
${past.length ? html`<section aria-labelledby="h-past"><h2 id="h-past">Past incidents (14 days)</h2>${past}</section>` : null}
<footer><p>Updated <time datetime="${input.now}">${fmtTime(input.now)}</time>; this page reloads every ${REFRESH_SECONDS} seconds.${pub ? trustedHtml(' <a href="/status/feed.atom">Atom feed</a> &middot; <a href="/status.json">JSON</a>') : null}</p>
<p>Uptime: share of time operational over the last 90 days, maintenance excluded.</p></footer>
</main>
</body>
</html>
`.value;
}

function componentJson(input: StatusSiteInput, service: string, position: number, pageId: string) {
  const def = input.config.components.find((c) => c.service === service)!;
  return {
    id: service, name: def.displayName ?? service, status: input.states[service]!.status,
    created_at: input.since[service] ?? input.now, updated_at: input.since[service] ?? input.now, position,
    description: def.description ?? null, showcase: true, start_date: null, group_id: def.group ?? null,
    page_id: pageId, group: false, only_show_if_degraded: false,
  };
}

/** `status.json`: Statuspage's summary shape for the public page. */
export function summaryJson(input: StatusSiteInput) {
  const p = publicPage(input);
  const pageId = p.name;
  const onPage = p.components;
  const comps = onPage.map((s, i) => componentJson(input, s, i + 1, pageId));
  const groups = input.config.groups.filter((g) => comps.some((c) => c.group_id === g.name)).map((g, i) => ({
    id: g.name, name: g.displayName ?? g.name, status: worstOf(comps.filter((c) => c.group_id === g.name).map((c) => c.status)),
    created_at: input.now, updated_at: input.now, position: comps.length + i + 1, description: null, showcase: false, start_date: null,
    group_id: null, page_id: pageId, group: true, only_show_if_degraded: false, components: comps.filter((c) => c.group_id === g.name).map((c) => c.id),
  }));
  const incidents = input.statusIncidents.filter((i) => i.resolvedAt === null && i.components.some((c) => onPage.includes(c))).map((inc) => ({
    id: inc.id, name: inc.title, status: inc.status, created_at: inc.createdAt, updated_at: inc.updatedAt,
    monitoring_at: inc.updates.find((u) => u.status === 'monitoring')?.at ?? null, resolved_at: inc.resolvedAt,
    impact: impactOf(worstOf(inc.components.filter((c) => onPage.includes(c)).map((c) => input.states[c]!.status))),
    shortlink: `${input.pageUrl}#incident-${inc.id}`, started_at: inc.createdAt, page_id: pageId,
    incident_updates: [...inc.updates].reverse().map((u) => ({
      id: u.id, status: u.status, body: u.message, incident_id: inc.id, created_at: u.at, updated_at: u.at, display_at: u.at, affected_components: null,
    })),
    components: inc.components.filter((c) => onPage.includes(c)).map((c) => componentJson(input, c, onPage.indexOf(c) + 1, pageId)),
  }));
  const scheduled = input.maintenances.filter((m) => m.services.some((c) => onPage.includes(c))).map((m) => ({
    id: m.id, name: m.name, status: m.inProgress ? 'in_progress' : 'scheduled', created_at: m.start, updated_at: m.start,
    monitoring_at: null, resolved_at: null, impact: 'maintenance', shortlink: input.pageUrl, started_at: m.start, page_id: pageId,
    incident_updates: m.reason ? [{ id: `${m.id}-reason`, status: m.inProgress ? 'in_progress' : 'scheduled', body: m.reason, incident_id: m.id, created_at: m.start, updated_at: m.start, display_at: m.start, affected_components: null }] : [],
    components: m.services.filter((c) => onPage.includes(c)).map((c) => componentJson(input, c, onPage.indexOf(c) + 1, pageId)),
    scheduled_for: m.start, scheduled_until: m.end,
  }));
  return {
    page: { id: pageId, name: p.title ?? input.config.title, url: input.pageUrl, time_zone: 'Etc/UTC', updated_at: input.now },
    status: pageIndicator(onPage.map((s) => input.states[s]!.status)),
    components: [...comps, ...groups],
    incidents,
    scheduled_maintenances: scheduled,
  };
}

function worstOf(statuses: readonly ComponentStatus[]): ComponentStatus {
  return statuses.reduce<ComponentStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'operational');
}

function atomFeed(input: StatusSiteInput): string {
  const p = publicPage(input);
  const onPage = p.components;
  const feed = new Feed({
    id: `${input.pageUrl}`, title: `${p.title ?? input.config.title}: updates`, link: input.pageUrl, updated: new Date(input.now),
    generator: 'alert-pipeline status page', copyright: '', feedLinks: { atom: `${input.pageUrl}/feed.atom` },
  });
  const entries = input.statusIncidents.filter((i) => i.components.some((c) => onPage.includes(c))).flatMap((inc) =>
    inc.updates.map((u) => ({ inc, u })));
  entries.sort((a, b) => b.u.at.localeCompare(a.u.at));
  for (const { inc, u } of entries.slice(0, 50)) {
    feed.addItem({
      title: `${inc.title}: ${u.status}`, id: `${input.pageUrl}#update-${u.id}`, link: `${input.pageUrl}#incident-${inc.id}`,
      date: new Date(u.at), published: new Date(u.at), content: html`<p>${u.message}</p>`.value,
    });
  }
  for (const m of input.maintenances.filter((x) => x.services.some((c) => onPage.includes(c)))) {
    feed.addItem({
      title: `Scheduled maintenance: ${m.name} (${fmtTime(m.start)} to ${fmtTime(m.end)})`, id: `${input.pageUrl}#maintenance-${m.id}`,
      link: input.pageUrl, date: new Date(m.start), content: html`<p>${m.reason ?? 'Scheduled maintenance'}</p>`.value,
    });
  }
  return feed.atom1();
}

/** The public files, written to S3 (AWS) or DATA_DIR/status-site (locally). */
export function renderStatusSite(input: StatusSiteInput): StatusFile[] {
  const p = publicPage(input);
  return [
    { path: STATUS_FILES.html, contentType: 'text/html; charset=utf-8', body: page(input, p.title ?? input.config.title, p.components, 'public'), cacheSeconds: CACHE_SECONDS },
    { path: STATUS_FILES.json, contentType: 'application/json', body: `${JSON.stringify(summaryJson(input), null, 2)}\n`, cacheSeconds: CACHE_SECONDS },
    { path: STATUS_FILES.feed, contentType: 'application/atom+xml; charset=utf-8', body: atomFeed(input), cacheSeconds: CACHE_SECONDS },
  ];
}

/** A private page (the first one, or the one named): the same plus the why behind each status. Never written to the site. */
export function renderPrivatePage(input: StatusSiteInput, name?: string): string | null {
  const p = input.config.pages.find((x) => x.visibility === 'private' && (name === undefined || x.name === name));
  if (!p) return null;
  return page(input, p.title ?? input.config.title, p.components, 'private');
}
