/**
 * What admins and responders do to the status page, as pure functions: publish a status incident and its updates
 * (investigating -> identified -> monitoring -> resolved), set a manual status with an expiry. Every refusal is a
 * typed error naming the field.
 */
import { InvalidPayloadError } from '../errors';
import type { StatusPageConfig } from './site-input';
import type { ComponentStatus, StatusIncident, StatusOverride, StatusUpdate, UpdateStatus } from './model';

/** Longest manual status: it must end, and soon enough that a forgotten one does not hide a real outage for long. */
export const MAX_OVERRIDE_DAYS = 7;

function components(sp: StatusPageConfig, names: readonly string[], field: string): void {
  names.forEach((n, i) => {
    if (!sp.components.some((c) => c.service === n)) {
      throw new InvalidPayloadError([{ path: `${field}[${i}]`, message: `unknown component "${n}" (components: ${sp.components.map((c) => c.service).join(', ')})` }]);
    }
  });
}

export function newStatusIncident(
  sp: StatusPageConfig,
  req: { id: string; updateId: string; title: string; components: string[]; incidentIds: string[]; status: UpdateStatus; message: string; by: string },
  nowIso: string,
): StatusIncident {
  if (req.components.length === 0) throw new InvalidPayloadError([{ path: 'components', message: 'name at least one component' }]);
  components(sp, req.components, 'components');
  const update: StatusUpdate = { id: req.updateId, status: req.status, message: req.message, at: nowIso, by: req.by };
  return {
    id: req.id, title: req.title, components: [...new Set(req.components)], incidentIds: [...new Set(req.incidentIds)], status: req.status,
    createdAt: nowIso, updatedAt: nowIso, resolvedAt: req.status === 'resolved' ? nowIso : null, updates: [update],
  };
}

export function addStatusUpdate(
  sp: StatusPageConfig,
  inc: StatusIncident,
  req: { updateId: string; status: UpdateStatus; message: string; by: string; components?: string[]; incidentIds?: string[] },
  nowIso: string,
): StatusIncident {
  if (req.components) components(sp, req.components, 'components');
  const update: StatusUpdate = { id: req.updateId, status: req.status, message: req.message, at: nowIso, by: req.by };
  return {
    ...inc,
    status: req.status,
    components: req.components ? [...new Set(req.components)] : inc.components,
    incidentIds: req.incidentIds ? [...new Set([...inc.incidentIds, ...req.incidentIds])] : inc.incidentIds,
    updatedAt: nowIso,
    // Reopening (a new update after resolved) clears resolvedAt; the history of updates stays.
    resolvedAt: req.status === 'resolved' ? nowIso : null,
    updates: [...inc.updates, update],
  };
}

export function newStatusOverride(
  sp: StatusPageConfig,
  req: { id: string; service: string; status: ComponentStatus; reason?: string; start?: string; end: string; by: string },
  nowMs: number,
): StatusOverride {
  components(sp, [req.service], 'service');
  const start = req.start === undefined ? nowMs : Date.parse(req.start);
  const end = Date.parse(req.end);
  if (end <= start) throw new InvalidPayloadError([{ path: 'end', message: 'must be after start' }]);
  if (end <= nowMs) throw new InvalidPayloadError([{ path: 'end', message: 'must be in the future' }]);
  if (end - start > MAX_OVERRIDE_DAYS * 86_400_000) throw new InvalidPayloadError([{ path: 'end', message: `an override lasts at most ${MAX_OVERRIDE_DAYS} days` }]);
  return {
    id: req.id, service: req.service, status: req.status, ...(req.reason ? { reason: req.reason } : {}),
    start: new Date(start).toISOString(), end: new Date(end).toISOString(), createdBy: req.by, createdAt: new Date(nowMs).toISOString(),
  };
}
