/**
 * The pipeline's decisions without its effects: runs deliveries (normalized alerts, or raw bodies as an ingest route
 * received them) through the same stages as the processor — `evaluateAlert` (fingerprint, classify, route, suppress,
 * delay) and `planIncidentChanges` (deduplicate, open or update) — over an in-memory incident history, one delivery
 * at a time in time order. Used by golden cases (golden.ts) and replay (replay.ts). Pure: time is each input's `at`.
 *
 * Like the live pipeline it also applies, lazily and at the time they fall due, the sweeper's time-driven changes
 * (sweep.ts): a maintenance window that ended pages its still-suppressed incident, a quiet Threat Stack or webhook
 * incident auto-resolves. It does not know about ad-hoc maintenance windows created through the API (pass them in
 * `options.adHocWindows`), human acknowledgements and resolves, or escalation timing beyond a delay rule's hold.
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { planIncidentChanges, orderAlerts, type AlertOutcomeKind, type EvaluatedAlert, type Evaluation } from '../deduplicate';
import { ConfigError, InvalidPayloadError, InvariantError } from '../errors';
import type { Rules, Suppression } from '../evaluate';
import type { MaintenanceWindow } from '../rules/maintenance';
import type { Fingerprint } from '../fingerprint';
import { autoResolveIncident, retriggerIncident } from '../lifecycle';
import type { NormalizedAlert, RegisteredSourceName, Severity } from '../model/alert';
import type { SourceName } from '../normalize/registry';
import { isOpen, type Incident, type IncidentStatus } from '../model/incident';
import { REASONS } from '../model/reasons';
import type { TraceStep } from '../model/trace';
import { archiveKeyOf, boundSourceTime, envelopesOf, evaluateAlert } from '../pipeline';
import { compileRules } from '../rules/compile';
import { configEnricher, type Enricher } from '../enrich/alarm-enrichment';
import { autoResolveDueMs, autoResolveMinutes } from '../sweep';
import { defaultViaOf, normalizeRaw } from './normalize-raw';
import { keyedByIntegration } from '../normalize/events-v2';
import { DEFAULT_INTEGRATION } from '../integrations/config';
import { holdInhibited, inhibitEdgesOfConfig, inhibitorOf, isHeld, releaseInhibited, type InhibitEdge } from '../inhibition';

/** One delivery: alerts already normalized, or a raw body with the route that took it. */
export type SimulationInput =
  | { at: string; alerts: NormalizedAlert[]; source?: SourceName; via?: string; requestId?: string; archiveKey?: string }
  | { at: string; source: SourceName; via?: string; body: unknown; requestId?: string; archiveKey?: string; integration?: string };

export interface SimulateOptions {
  /** Compiled rules of the config (compiled from it when absent): pass them to compile once for many runs. */
  rules?: Rules;
  /** Ad-hoc maintenance windows to treat as in effect (the API's windows are not in the config). */
  adHocWindows?: readonly MaintenanceWindow[];
  /** Apply the sweeper's maintenance-end and auto-resolve changes when they fall due (default true). */
  sweep?: boolean;
  /** Keep each alert's decision trace (default true; replay turns it off to save memory). */
  traces?: boolean;
}

/** What the pipeline decided about one alert. */
export interface SimulatedAlert {
  /** Position of the delivery among the inputs (time order, 0-based) and of the alert within it (0-based). */
  deliveryIndex: number;
  alertIndex: number;
  deliveryKey: string;
  /** When the delivery was received (ISO). */
  at: string;
  source: RegisteredSourceName;
  title: string;
  fingerprint: Fingerprint;
  tags: Record<string, string>;
  severity: Severity;
  route: { service: string; team: string | null; escalationPolicy: string | null; rule: string };
  /** Why it must not page: a suppression rule, a maintenance window, or the built-in INSUFFICIENT_DATA policy. */
  suppression: Suppression | null;
  holdMinutes: number | null;
  outcome: AlertOutcomeKind;
  /** The dedup outcome's reason (`new-incident`, `joined-open-incident`, `insufficient-data`, ...). */
  reason: string;
  /** Label of the incident it opened or joined (`#1`, `#2`, ... in order of creation), null when none. */
  incident: string | null;
  incidentId: string | null;
  /**
   * Whether this alert made the pipeline page: it opened an incident whose escalation started (at once, after its
   * delay hold if the incident was still triggered then, or when its maintenance window ended while it still fired).
   */
  pages: boolean;
  /** When that page happens (ISO), null when it does not page. */
  pageAt: string | null;
  trace: TraceStep[];
}

export interface SimulatedIncident {
  label: string;
  id: string;
  status: IncidentStatus;
  alertCount: number;
  severity: Severity;
  service: string;
  team: string | null;
  escalationPolicy: string | null;
  title: string;
  tags: Record<string, string>;
  /** Opened suppressed and never paged. */
  suppressed: boolean;
  suppressionReason: string | null;
  openedAt: string;
  /** The alert that opened it. */
  openedBy: { deliveryIndex: number; alertIndex: number; deliveryKey: string };
  pages: boolean;
  pageAt: string | null;
  /** Why a page did not happen or how it happened: `held`, `hold ended after resolve`, `maintenance ended`, `inhibition released`. */
  pageNote: string | null;
  /** Label of the upstream incident that held its page (inhibition), null when none. */
  inhibitedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** A delivery the route would have rejected (HTTP 400 / dead letter): nothing was enqueued. */
export interface RejectedDelivery {
  deliveryIndex: number;
  at: string;
  source: RegisteredSourceName | null;
  via: string | null;
  error: string;
}

export interface SimulationResult {
  deliveries: number;
  alerts: SimulatedAlert[];
  incidents: SimulatedIncident[];
  rejected: RejectedDelivery[];
}

interface IncidentMeta {
  label: string;
  openedBy: SimulatedIncident['openedBy'];
  openerSlot: SimulatedAlert | null;
  /** Escalation start: when, with the hold of a delay rule, and why. */
  page: { atMs: number; holdMinutes: number | null; note: string | null } | null;
  /** First time it stopped being `triggered` after opening (resolve, acknowledge, auto-resolve). */
  leftTriggeredAtMs: number | null;
}

const MINUTE = 60_000;

function isoOf(at: string, what: string): { iso: string; ms: number } {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw ConfigError.problem(`${what}: "${at}" is not an ISO 8601 time`);
  return { iso: new Date(ms).toISOString(), ms };
}

/**
 * An incremental simulation: `push` deliveries in time order, then `result()`. `simulate` sorts and pushes for you;
 * replay uses the class directly to stream an archive.
 */
export class Simulator {
  private readonly rules: Rules;
  private readonly enrich: Enricher;
  private readonly adHoc: readonly MaintenanceWindow[];
  private readonly sweepOn: boolean;
  private readonly traces: boolean;
  private readonly history = new Map<Fingerprint, Incident[]>();
  private readonly inhibitEdges: InhibitEdge[];
  /** Held incidents (inhibition): id -> its fingerprint and its upstream's fingerprint. */
  private readonly held = new Map<string, { fp: Fingerprint; upstreamFp: Fingerprint }>();
  /** Upstream incident id by held incident id (kept after release, for the result). */
  private readonly heldBy = new Map<string, string>();
  private readonly meta = new Map<string, IncidentMeta>();
  private readonly done = new Set<string>();
  private readonly alerts: SimulatedAlert[] = [];
  private readonly rejected: RejectedDelivery[] = [];
  private deliveries = 0;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly config: PipelineConfig, options: SimulateOptions = {}) {
    this.rules = options.rules ?? compileRules(config);
    this.enrich = configEnricher(config);
    this.adHoc = options.adHocWindows ?? [];
    this.sweepOn = options.sweep ?? true;
    this.traces = options.traces ?? true;
    this.inhibitEdges = inhibitEdgesOfConfig(config);
  }

  /** Processes one delivery; returns its alerts' results (pages are final only after `result()`). */
  push(input: SimulationInput): SimulatedAlert[] {
    const deliveryIndex = this.deliveries++;
    const { iso: at, ms: nowMs } = isoOf(input.at, `delivery ${deliveryIndex + 1}: at`);
    this.lastMs = Math.max(this.lastMs, nowMs);
    const requestId = input.requestId ?? `sim-${deliveryIndex}`;

    let alerts: NormalizedAlert[];
    let source: RegisteredSourceName | null = input.source ?? null;
    let via: string | null = input.via ?? null;
    if ('alerts' in input) {
      alerts = input.alerts;
      source ??= alerts[0]?.source ?? null;
      via ??= 'simulation';
    } else {
      via ??= defaultViaOf(input.source, input.body) ?? null;
      try {
        alerts = normalizeRaw(input.source, via ?? undefined, input.body, { receivedAt: at, requestId }, this.config);
        // As the ingest route keyed them: a named integration's Events v2 alerts by the integration (archive metadata).
        const integration = input.integration;
        if (input.source === 'events-v2' && integration !== undefined && integration !== DEFAULT_INTEGRATION) alerts = alerts.map((a) => keyedByIntegration(a, integration));
      } catch (err) {
        if (!(err instanceof InvalidPayloadError) && !(err instanceof ConfigError)) throw err;
        this.rejected.push({ deliveryIndex, at, source, via, error: err.message });
        return [];
      }
    }
    if (alerts.length === 0) return [];

    const envSource = source ?? alerts[0]!.source;
    const archiveKey = input.archiveKey ?? archiveKeyOf(envSource, at, requestId);
    const envelopes = envelopesOf({ source: envSource, via: via ?? 'simulation', rawBody: '', alerts, receivedAt: at, requestId }, archiveKey);

    // Evaluate every alert (also re-sent ones, so their tags and route are visible), grouped by fingerprint.
    const slots: SimulatedAlert[] = [];
    const slotOf = new Map<EvaluatedAlert, SimulatedAlert>();
    const groups = new Map<Fingerprint, EvaluatedAlert[]>();
    for (const env of envelopes) {
      const duplicate = this.done.has(env.messageKey);
      for (const received of env.alerts) {
        // As processEnvelopes: a source time too far ahead of the receive time is replaced by it.
        const bounded = boundSourceTime(received, at, this.config.processing.maxFutureSkewSeconds);
        // As processEnvelopes: CloudWatch alarms get their tags, here from the config's stand-in.
        const enriched = this.enrich(bounded.alert);
        const alert = enriched.alert;
        const evaluated = evaluateAlert(alert, this.rules, nowMs, this.adHoc);
        const before = [bounded.step, enriched.step].filter((st): st is TraceStep => st !== null);
        const evaluation = before.length > 0 ? { ...evaluated, trace: [...before, ...evaluated.trace] } : evaluated;
        const slot = newSlot(deliveryIndex, slots.length, at, alert, evaluation, this.traces);
        slots.push(slot);
        this.alerts.push(slot);
        if (duplicate) {
          if (this.traces) {
            slot.trace.push({ stage: 'deduplicate', outcome: 'duplicate', reason: `delivery ${env.messageKey} was already processed; counted once` });
          }
          continue;
        }
        const e: EvaluatedAlert = { alert, messageKey: env.messageKey, receivedAt: at, archiveKey, evaluation };
        slotOf.set(e, slot);
        const list = groups.get(evaluation.fingerprint) ?? [];
        list.push(e);
        groups.set(evaluation.fingerprint, list);
      }
    }

    for (const [fp, group] of groups) {
      this.applyGroup(fp, group, slotOf, at, nowMs);
      this.releaseHeld(nowMs);
    }
    for (const env of envelopes) this.done.add(env.messageKey);
    return slots;
  }

  private applyGroup(fp: Fingerprint, group: EvaluatedAlert[], slotOf: Map<EvaluatedAlert, SimulatedAlert>, at: string, nowMs: number): void {
    this.sweepFingerprint(fp, nowMs);
    const history = this.history.get(fp) ?? [];
    this.history.set(fp, history);
    const latest = history[history.length - 1] ?? null;
    const older = history.length > 1 ? [history[history.length - 2]!] : [];
    const plan = holdInhibited(planIncidentChanges(latest, group, at, nowMs, older), (service) => this.inhibitorFor(service, nowMs), at);
    for (const inc of plan.creates) {
      if (inc.inhibitedBy === undefined) continue;
      const upstreamFp = this.fingerprintOfIncident(inc.inhibitedBy);
      if (upstreamFp) this.held.set(inc.id, { fp, upstreamFp });
      this.heldBy.set(inc.id, inc.inhibitedBy);
    }

    if (plan.update) {
      const { before, after } = plan.update;
      history[history.length - 1] = after;
      this.noteStatus(before, after, nowMs);
    }
    for (const inc of plan.creates) {
      history.push(inc);
      this.meta.set(inc.id, { label: `#${this.meta.size + 1}`, openedBy: { deliveryIndex: -1, alertIndex: -1, deliveryKey: '' }, openerSlot: null, page: null, leftTriggeredAtMs: null });
      if (inc.status !== 'triggered' && inc.status !== 'suppressed') this.meta.get(inc.id)!.leftTriggeredAtMs = nowMs;
    }
    // Escalation starts for incidents that page, as processEnvelopes does.
    for (const inc of [...plan.creates, ...(plan.update ? [plan.update.after] : [])]) {
      if (inc.escalation !== 'pending' || inc.status !== 'triggered') continue;
      const m = this.meta.get(inc.id);
      if (m && m.page === null) m.page = { atMs: nowMs, holdMinutes: inc.holdMinutes, note: null };
      inc.escalation = 'started';
    }

    const ordered = orderAlerts(group);
    plan.outcomes.forEach((o, i) => {
      const e = ordered[i];
      const slot = e ? slotOf.get(e) : undefined;
      if (!slot || slot.deliveryKey !== o.deliveryKey) throw new InvariantError(`simulation: outcome ${i} of fingerprint ${fp} does not line up with its alert`);
      slot.outcome = o.outcome;
      slot.reason = o.reason;
      slot.incidentId = o.incidentId;
      const m = o.incidentId ? this.meta.get(o.incidentId) : undefined;
      slot.incident = m?.label ?? null;
      if (m && m.openerSlot === null) {
        m.openerSlot = slot;
        m.openedBy = { deliveryIndex: slot.deliveryIndex, alertIndex: slot.alertIndex, deliveryKey: slot.deliveryKey };
      }
      if (slot.suppression === null && o.outcome === 'suppressed') {
        slot.suppression = {
          reason: o.reason === REASONS.insufficientData ? `${REASONS.insufficientData}: ${e!.alert.sourceSeverity} is recorded without a page` : o.reason,
          rule: null,
        };
      }
      if (this.traces) slot.trace = o.trace;
    });
  }

  /** As the processor's inhibit stage: the open incidents of the upstream services, as of `nowMs`. */
  private inhibitorFor(service: string, nowMs: number) {
    if (!this.inhibitEdges.some((e) => e.from === service)) return null;
    const upstream = new Set(this.inhibitEdges.filter((e) => e.from === service).map((e) => e.to));
    const open: Incident[] = [];
    for (const [fp, history] of this.history) {
      const latest = history[history.length - 1];
      if (!latest || !upstream.has(latest.route.service)) continue;
      this.sweepFingerprint(fp, nowMs);
      const now = history[history.length - 1]!;
      if (isOpen(now.status)) open.push(now);
    }
    return inhibitorOf(service, this.inhibitEdges, (s) => open.filter((i) => i.route.service === s));
  }

  private fingerprintOfIncident(id: string): Fingerprint | null {
    for (const [fp, history] of this.history) if (history.some((i) => i.id === id)) return fp;
    return null;
  }

  /**
   * As the processor, the API and the sweeper: a held incident whose upstream incident is no longer open (as of
   * `nowMs`) pages, at the time the upstream resolved.
   */
  private releaseHeld(nowMs: number): void {
    for (const [id, { fp, upstreamFp }] of this.held) {
      this.sweepFingerprint(upstreamFp, nowMs);
      const upstream = (this.history.get(upstreamFp) ?? []).find((i) => i.id === this.heldBy.get(id)) ?? null;
      if (upstream && isOpen(upstream.status)) continue;
      this.held.delete(id);
      const history = this.history.get(fp) ?? [];
      const idx = history.findIndex((i) => i.id === id);
      const inc = history[idx];
      if (!inc || !isHeld(inc)) continue;
      const releaseMs = Math.max(Date.parse(upstream?.resolvedAt ?? new Date(nowMs).toISOString()), Date.parse(inc.openedAt));
      const t = releaseInhibited(inc, upstream, new Date(releaseMs).toISOString());
      t.after.escalation = 'started';
      history[idx] = t.after;
      const m = this.meta.get(id);
      if (m && m.page === null) m.page = { atMs: releaseMs, holdMinutes: inc.holdMinutes, note: 'inhibition released' };
    }
  }

  private noteStatus(before: Incident, after: Incident, atMs: number): void {
    const m = this.meta.get(after.id);
    if (m && m.leftTriggeredAtMs === null && before.status === 'triggered' && after.status !== 'triggered') m.leftTriggeredAtMs = atMs;
  }

  /** The sweeper's changes to the latest incident of `fp` that fell due at or before `nowMs`, at their due times. */
  private sweepFingerprint(fp: Fingerprint, nowMs: number): void {
    if (!this.sweepOn) return;
    const history = this.history.get(fp);
    if (!history || history.length === 0) return;
    let latest = history[history.length - 1]!;
    let floorMs = Number.NEGATIVE_INFINITY;
    if (latest.status === 'suppressed' && latest.suppressedUntil !== null && Date.parse(latest.suppressedUntil) <= nowMs) {
      const dueMs = Date.parse(latest.suppressedUntil);
      const due = new Date(dueMs).toISOString();
      const t = retriggerIncident(latest, `Maintenance window ended (${latest.suppressionReason ?? 'maintenance'}) and the alert is still firing: paging as it would have`, due);
      t.after.escalation = 'started';
      history[history.length - 1] = t.after;
      const m = this.meta.get(latest.id);
      if (m && m.page === null) m.page = { atMs: dueMs, holdMinutes: null, note: 'maintenance ended' };
      latest = t.after;
      floorMs = dueMs;
    }
    if (isOpen(latest.status)) {
      const minutes = autoResolveMinutes(this.config, latest);
      const quietDueMs = autoResolveDueMs(this.config, latest);
      if (quietDueMs !== null) {
        const dueMs = Math.max(quietDueMs, floorMs);
        if (dueMs <= nowMs) {
          const t = autoResolveIncident(latest, minutes, new Date(dueMs).toISOString());
          history[history.length - 1] = t.after;
          this.noteStatus(latest, t.after, dueMs);
        }
      }
    }
  }

  /**
   * The result so far. The sweeper's changes that fell due by `until` (default: the last delivery's time) are applied
   * first, so incident states are those at that time.
   */
  result(until?: string): SimulationResult {
    const untilMs = until === undefined ? this.lastMs : isoOf(until, 'until').ms;
    if (Number.isFinite(untilMs)) {
      for (const fp of this.history.keys()) this.sweepFingerprint(fp, untilMs);
      this.releaseHeld(untilMs);
    }
    const labelOf = (id: string | undefined) => (id === undefined ? null : (this.meta.get(id)?.label ?? null));

    const incidents: SimulatedIncident[] = [];
    for (const history of this.history.values()) {
      for (const inc of history) {
        const m = this.meta.get(inc.id);
        if (!m) continue;
        const page = pageOf(m);
        if (m.openerSlot) {
          m.openerSlot.pages = page.pages;
          m.openerSlot.pageAt = page.pageAt;
        }
        incidents.push({
          label: m.label,
          id: inc.id,
          status: inc.status,
          alertCount: inc.alertCount,
          severity: inc.severity,
          service: inc.route.service,
          team: inc.route.team,
          escalationPolicy: inc.route.escalationPolicy,
          title: inc.title,
          tags: inc.tags,
          suppressed: inc.suppressionReason !== null && !page.pages,
          suppressionReason: inc.suppressionReason,
          openedAt: inc.openedAt,
          openedBy: m.openedBy,
          pages: page.pages,
          pageAt: page.pageAt,
          pageNote: page.note,
          inhibitedBy: labelOf(this.heldBy.get(inc.id)),
          resolvedAt: inc.resolvedAt,
          resolvedBy: inc.resolvedBy,
        });
      }
    }
    incidents.sort((a, b) => Number(a.label.slice(1)) - Number(b.label.slice(1)));
    return { deliveries: this.deliveries, alerts: [...this.alerts], incidents, rejected: [...this.rejected] };
  }
}

function pageOf(m: IncidentMeta): { pages: boolean; pageAt: string | null; note: string | null } {
  if (m.page === null) return { pages: false, pageAt: null, note: null };
  const hold = m.page.holdMinutes ?? 0;
  const atMs = m.page.atMs + hold * MINUTE;
  if (hold > 0 && m.leftTriggeredAtMs !== null && m.leftTriggeredAtMs < atMs) {
    return { pages: false, pageAt: null, note: `held ${hold} min; no longer triggered when the hold ended` };
  }
  return { pages: true, pageAt: new Date(atMs).toISOString(), note: hold > 0 ? `held ${hold} min` : m.page.note };
}

/** Runs `inputs` in time order (stable for equal times) through `config` and returns every decision. */
export function simulate(config: PipelineConfig, inputs: readonly SimulationInput[], options: SimulateOptions & { until?: string } = {}): SimulationResult {
  const sim = new Simulator(config, options);
  const ordered = inputs
    .map((input, i) => ({ input, i, ms: isoOf(input.at, `input ${i + 1}: at`).ms }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i);
  for (const { input } of ordered) sim.push(input);
  return sim.result(options.until);
}

/** An alert's result before the dedup stage has decided (a duplicate until the group is applied). */
function newSlot(deliveryIndex: number, alertIndex: number, at: string, alert: NormalizedAlert, evaluation: Evaluation, traces: boolean): SimulatedAlert {
  return {
    deliveryIndex,
    alertIndex,
    deliveryKey: alert.deliveryKey,
    at,
    source: alert.source,
    title: alert.title,
    fingerprint: evaluation.fingerprint,
    tags: evaluation.tags,
    severity: evaluation.severity,
    route: { service: evaluation.route.service, team: evaluation.route.team, escalationPolicy: evaluation.route.escalationPolicy, rule: evaluation.route.rule },
    suppression: evaluation.suppression,
    holdMinutes: evaluation.holdMinutes,
    outcome: 'duplicate',
    reason: REASONS.duplicateDelivery,
    incident: null,
    incidentId: null,
    pages: false,
    pageAt: null,
    trace: traces ? [...evaluation.trace] : [],
  };
}
