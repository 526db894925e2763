/**
 * Postmortem operations over ports: gather the records (incident, timeline, alert log, the service's incidents
 * around it, related incidents), draft, edit, publish (render and store the documents, then the new version),
 * reopen. Drafts for the severities in `postmortems.autoDraftSeverities` are made on the first read of a resolved
 * incident (docs/postmortems.md §Automatic drafts says why there and not where resolves are applied).
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { ConflictError, NotFoundError, BadRequestError } from '../errors';
import type { AlertRecord, Incident } from '../model/incident';
import type { Clock, IncidentStore, PostmortemStore, PublishedDocuments } from '../ports';
import { templateFor } from './config';
import { draftPostmortem, nonEventWindow, RELATED_DAYS } from './draft';
import { applyPatch, publish, reopen, type PostmortemPatch } from './edit';
import type { Postmortem, PostmortemListFilters } from './model';
import { renderHtml, renderMarkdown } from './render';

export interface PostmortemDeps {
  config: PipelineConfig;
  store: IncidentStore;
  postmortems: PostmortemStore;
  documents: PublishedDocuments;
  clock: Clock;
}

/** At most this many incidents of the service are read around an incident (and for related incidents). */
export const NEIGHBOURS_MAX = 200;
/** Alert logs are read only for incidents that can hold non-events, at most this many. */
const ALERT_LOGS_MAX = 100;

async function listAll(store: IncidentStore, service: string, from: string, to: string, max: number): Promise<Incident[]> {
  const out: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listIncidents({ service, from, to, limit: Math.min(100, max - out.length), cursor });
    out.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** Might this incident's alert log hold non-events (suppressed, held, or more than one alert)? */
const mayHoldNonEvents = (i: Incident) => i.status === 'suppressed' || i.suppressionReason !== null || i.holdMinutes !== null || i.alertCount > 1;

async function requireIncident(deps: PostmortemDeps, incidentId: string): Promise<Incident> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new NotFoundError(`no incident ${incidentId}`);
  return incident;
}

/** Reads everything a draft needs and drafts it (not stored). */
export async function draftFor(deps: PostmortemDeps, incident: Incident, by: string, templateName?: string): Promise<Postmortem> {
  const cfg = deps.config.postmortems;
  const template = templateFor(cfg, incident.severity, templateName);
  if (!template) throw new BadRequestError(`template: unknown template "${templateName}"`, { field: 'template' });
  const nowIso = deps.clock.now().toISOString();
  const window = nonEventWindow(incident, cfg.nonEventWindowMinutes, nowIso);
  const relatedFrom = new Date(Date.parse(incident.openedAt) - RELATED_DAYS * 86_400_000).toISOString();
  const [timeline, alerts, around, sameService, sameFingerprint] = await Promise.all([
    deps.store.timeline(incident.id),
    deps.store.alerts(incident.id),
    listAll(deps.store, incident.route.service, window.from, window.to, NEIGHBOURS_MAX),
    listAll(deps.store, incident.route.service, relatedFrom, incident.openedAt, NEIGHBOURS_MAX),
    deps.store.recentForFingerprint(incident.fingerprint, 20),
  ]);
  const withLogs = around.filter((i) => i.id !== incident.id && mayHoldNonEvents(i)).slice(0, ALERT_LOGS_MAX);
  const logs = await Promise.all(withLogs.map((i) => deps.store.alerts(i.id)));
  const neighbours: Array<{ incident: Incident; alerts: AlertRecord[] }> = withLogs.map((i, n) => ({ incident: i, alerts: logs[n]! }));
  return draftPostmortem({
    incident, timeline, alerts, neighbours, related: [...sameFingerprint, ...sameService], template,
    checklists: cfg.checklists, window, nowIso, by,
  });
}

export async function createPostmortem(deps: PostmortemDeps, incidentId: string, by: string, templateName?: string): Promise<Postmortem> {
  const incident = await requireIncident(deps, incidentId);
  const pm = await draftFor(deps, incident, by, templateName);
  const result = await deps.postmortems.put(pm, null);
  if (result.kind === 'conflict') throw new ConflictError(`incident ${incidentId} already has a postmortem`, { incidentId });
  return pm;
}

/** Whether a postmortem is drafted on first read: a resolved incident of a configured severity. */
export function autoDrafts(config: PipelineConfig, incident: Incident): boolean {
  return incident.status === 'resolved' && (config.postmortems.autoDraftSeverities as string[]).includes(incident.severity);
}

/** The stored postmortem; or, for a resolved incident of an auto-drafted severity, a new draft (stored). */
export async function getPostmortem(deps: PostmortemDeps, incidentId: string): Promise<Postmortem> {
  const stored = await deps.postmortems.get(incidentId);
  if (stored) return stored;
  const incident = await requireIncident(deps, incidentId);
  if (!autoDrafts(deps.config, incident)) throw new NotFoundError(`incident ${incidentId} has no postmortem yet: create one with POST`);
  const pm = await draftFor(deps, incident, 'pipeline');
  const result = await deps.postmortems.put(pm, null);
  if (result.kind === 'conflict') {
    const other = await deps.postmortems.get(incidentId); // drafted concurrently: that one wins
    if (other) return other;
  }
  return pm;
}

async function requirePostmortem(deps: PostmortemDeps, incidentId: string): Promise<Postmortem> {
  const pm = await deps.postmortems.get(incidentId);
  if (!pm) throw new NotFoundError(`incident ${incidentId} has no postmortem`);
  return pm;
}

async function save(deps: PostmortemDeps, before: Postmortem, after: Postmortem): Promise<Postmortem> {
  const result = await deps.postmortems.put(after, before.version);
  if (result.kind === 'conflict') throw new ConflictError(`postmortem of ${before.incidentId} changed meanwhile: reload and edit again`, { reason: result.reason });
  return after;
}

export async function patchPostmortem(deps: PostmortemDeps, incidentId: string, patch: PostmortemPatch, by: string): Promise<Postmortem> {
  const pm = await requirePostmortem(deps, incidentId);
  return save(deps, pm, applyPatch(pm, patch, deps.clock.now().toISOString(), by));
}

/**
 * Publishes: refreshes the drafted facts (the timeline may have grown since the draft), renders Markdown and HTML,
 * stores both documents, then the published version. A crash in between leaves documents under a version key that
 * the next publish overwrites.
 */
export async function publishPostmortem(deps: PostmortemDeps, incidentId: string, version: number, by: string): Promise<Postmortem> {
  const pm = await requirePostmortem(deps, incidentId);
  const at = deps.clock.now().toISOString();
  const checked = publish(pm, version, at, by);
  const incident = await requireIncident(deps, incidentId);
  const facts = (await draftFor(deps, incident, by)).facts; // facts do not depend on the template
  const next = { ...checked, facts };
  await deps.documents.put(next.published!.markdownKey, renderMarkdown(next), 'text/markdown; charset=utf-8');
  await deps.documents.put(next.published!.htmlKey, renderHtml(next), 'text/html; charset=utf-8');
  return save(deps, pm, next);
}

export async function reopenPostmortem(deps: PostmortemDeps, incidentId: string, version: number, by: string): Promise<Postmortem> {
  const pm = await requirePostmortem(deps, incidentId);
  return save(deps, pm, reopen(pm, version, deps.clock.now().toISOString(), by));
}

/** A resolved incident of an auto-drafted severity that has no postmortem yet (its draft is made when it is opened). */
export interface AwaitingPostmortem {
  incidentId: string;
  title: string;
  severity: Incident['severity'];
  service: string;
  team: string | null;
  openedAt: string;
  resolvedAt: string | null;
}

/**
 * Which incidents still need a postmortem: the newest `limit` resolved incidents of each auto-drafted severity
 * (service, team and opened-at range as the list's filters), newest first, less those that have one. Drafts are
 * made on first read (docs/postmortems.md §Automatic drafts), so without this the list would not show them.
 */
export async function awaitingPostmortems(deps: PostmortemDeps, q: Omit<PostmortemListFilters, 'status'>, limit: number): Promise<AwaitingPostmortem[]> {
  const pages = await Promise.all((deps.config.postmortems.autoDraftSeverities as string[]).map((severity) =>
    deps.store.listIncidents({ status: 'resolved', severity, service: q.service, team: q.team, from: q.from, to: q.to, limit })));
  const resolved = pages.flatMap((p) => p.items).sort((a, b) => b.openedAt.localeCompare(a.openedAt)).slice(0, limit);
  const stored = await Promise.all(resolved.map((inc) => deps.postmortems.get(inc.id)));
  return resolved.filter((_, i) => stored[i] === null).map((inc) => ({
    incidentId: inc.id, title: inc.title, severity: inc.severity, service: inc.route.service, team: inc.route.team,
    openedAt: inc.openedAt, resolvedAt: inc.resolvedAt,
  }));
}
