/**
 * The pipeline, in order. This is the one place that lists the stages:
 *
 *   ingest side (HTTP/SNS/EventBridge handlers, `acceptDelivery`):
 *     normalize -> enqueue durably with the raw body -> answer (a delivery too large for one message: archive raw ->
 *     enqueue durably -> answer)
 *   processor side (SQS consumer, `processEnvelopes`):
 *     archive the batch's raw bodies (one object) -> enrich (CloudWatch alarm tags) -> fingerprint -> classify ->
 *     route -> suppress -> deduplicate/open-or-update incident -> escalate
 *
 * Each per-alert stage appends to the decision trace. Time, ids and every effect come in through ports.
 */
import { fingerprintOf, messageKeyOf } from './fingerprint';
import type { AlertEnvelope, NormalizedAlert, RegisteredSourceName as SourceName } from './model/alert';
import { step, type TraceStep } from './model/trace';
import { REASONS } from './model/reasons';
import { planIncidentChanges, type AlertOutcome, type EvaluatedAlert, type Evaluation, type IncidentPlan } from './deduplicate';
import type { Rules } from './evaluate';
import type { MaintenanceWindow } from './rules/maintenance';
import type { AlarmDetails, AlertQueue, Clock, Escalator, IncidentStore, RawArchive } from './ports';
import { alarmEnricher } from './enrich/alarm-enrichment';
import type { Incident } from './model/incident';
import { isOpen } from './model/incident';
import { markEscalationStarted } from './incident-actions';
import { TransientError } from './errors';
import { BATCH_CONTENT_TYPE, batchObjectOf } from './raw-batch';
import { mapLimit } from './map-limit';
import { batchInhibitor, holdInhibited, releaseHeldBy, type InhibitEdge, type Inhibitor } from './inhibition';

// ---------------------------------------------------------------------------------------------------------------
// Ingest side
// ---------------------------------------------------------------------------------------------------------------

/** Largest serialized envelope we put in one queue message (SQS allows 1 MiB; leave room for attributes). */
export const MAX_ENVELOPE_BYTES = 900 * 1024;

export interface Delivery {
  source: SourceName;
  via: string;
  /** The ingest integration whose token the sender presented (absent for the stack's own SNS and EventBridge). */
  integration?: string;
  /** The body exactly as received, archived for replay. */
  rawBody: string;
  /** The sender's content type, archived with the body (`application/json` when absent). */
  contentType?: string;
  alerts: NormalizedAlert[];
  receivedAt: string;
  requestId: string;
}

export interface AcceptResult {
  /** The object ingest archived the body in; null when the body travels in the message (the processor archives it). */
  archiveKey: string | null;
  messageKeys: string[];
  alertCount: number;
}

export function archiveKeyOf(source: SourceName, receivedAt: string, requestId: string): string {
  const [date = '0000-00-00', time = '00'] = receivedAt.split('T');
  const [y, m, d] = date.split('-');
  const hour = time.slice(0, 2);
  const safeId = requestId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `raw/${source}/${y}/${m}/${d}/${hour}/${receivedAt.replace(/[:.]/g, '-')}_${safeId}.json`;
}

/**
 * Splits a delivery's alerts into envelopes that each fit in one queue message. Each envelope's message key derives
 * from its own alerts' delivery keys, so a resent body produces the same envelopes and keys.
 */
export function envelopesOf(delivery: Delivery, archiveKey: string): AlertEnvelope[] {
  const out: AlertEnvelope[] = [];
  let chunk: NormalizedAlert[] = [];
  let size = 0;
  let offset = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    out.push({
      v: 1,
      messageKey: messageKeyOf(delivery.source, chunk.map((a) => a.deliveryKey)),
      source: delivery.source,
      via: delivery.via,
      ...(delivery.integration !== undefined ? { integration: delivery.integration } : {}),
      receivedAt: delivery.receivedAt,
      archiveKey,
      offset,
      alerts: chunk,
    });
    offset += chunk.length;
    chunk = [];
    size = 0;
  };
  for (const alert of delivery.alerts) {
    const bytes = Buffer.byteLength(JSON.stringify(alert), 'utf8');
    if (size + bytes > MAX_ENVELOPE_BYTES - 1024) flush();
    chunk.push(alert);
    size += bytes;
  }
  flush();
  return out;
}

/**
 * The one envelope of a delivery that fits in a single queue message together with its raw body: it carries the
 * body and its archive metadata, so ingest writes no archive object (the processor archives it in its batch object,
 * core/raw-batch.ts). Its message key is the one `envelopesOf` gives the same delivery in one message. Null when the
 * delivery needs several messages, or has no alert.
 */
export function carryingEnvelopeOf(delivery: Delivery): AlertEnvelope | null {
  if (delivery.alerts.length === 0) return null;
  let size = Buffer.byteLength(JSON.stringify(delivery.rawBody), 'utf8');
  for (const alert of delivery.alerts) {
    size += Buffer.byteLength(JSON.stringify(alert), 'utf8');
    if (size > MAX_ENVELOPE_BYTES - 1024) return null;
  }
  return {
    v: 1,
    messageKey: messageKeyOf(delivery.source, delivery.alerts.map((a) => a.deliveryKey)),
    source: delivery.source,
    via: delivery.via,
    ...(delivery.integration !== undefined ? { integration: delivery.integration } : {}),
    receivedAt: delivery.receivedAt,
    archiveKey: '',
    offset: 0,
    raw: { body: delivery.rawBody, requestId: delivery.requestId, ...(delivery.contentType !== undefined ? { contentType: delivery.contentType } : {}) },
    alerts: delivery.alerts,
  };
}

/**
 * Ingest: enqueue every alert durably, with the raw body when the delivery fits in one message (then nothing is
 * archived here: the message is the body's durable copy until the processor archives it); a larger delivery is
 * archived first (one object), then enqueued. Resolves only when everything is durable.
 */
export async function acceptDelivery(delivery: Delivery, deps: { archive: Pick<RawArchive, 'put'>; queue: AlertQueue }): Promise<AcceptResult> {
  const carrying = carryingEnvelopeOf(delivery);
  if (carrying) {
    await deps.queue.send([carrying]);
    return { archiveKey: null, messageKeys: [carrying.messageKey], alertCount: delivery.alerts.length };
  }
  const archiveKey = archiveKeyOf(delivery.source, delivery.receivedAt, delivery.requestId);
  await deps.archive.put(archiveKey, delivery.rawBody, {
    source: delivery.source,
    via: delivery.via,
    ...(delivery.integration !== undefined ? { integration: delivery.integration } : {}),
    receivedAt: delivery.receivedAt,
    requestId: delivery.requestId,
  }, delivery.contentType);
  const envelopes = envelopesOf(delivery, archiveKey);
  if (envelopes.length > 0) await deps.queue.send(envelopes);
  return { archiveKey, messageKeys: envelopes.map((e) => e.messageKey), alertCount: delivery.alerts.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Processor side
// ---------------------------------------------------------------------------------------------------------------

/** Default of `processing.maxFutureSkewSeconds`: how far a source time may be ahead of the receive time. */
export const MAX_FUTURE_SKEW_SECONDS = 300;

/**
 * Bounds the source's time for an alert: one more than `maxFutureSkewSeconds` ahead of when the pipeline received
 * it is replaced by the receive time (a trace step records the skew). Everything after (ordering, last-seen, the
 * newest state change, dedup windows) then sees a time the pipeline can trust not to lie in the future.
 */
export function boundSourceTime(alert: NormalizedAlert, receivedAt: string, maxFutureSkewSeconds: number): { alert: NormalizedAlert; step: TraceStep | null } {
  const skewMs = Date.parse(alert.occurredAt) - Date.parse(receivedAt);
  if (!(skewMs > maxFutureSkewSeconds * 1000)) return { alert, step: null };
  const skewSeconds = skewMs / 1000;
  return {
    alert: { ...alert, occurredAt: receivedAt },
    step: step('normalize', 'clamped',
      `the source time ${alert.occurredAt} is ${skewSeconds} s ahead of the receive time ${receivedAt}, more than the allowed ${maxFutureSkewSeconds} s: the receive time is used`,
      { sourceTime: alert.occurredAt, receivedAt, skewSeconds, maxFutureSkewSeconds }),
  };
}

/** The trace step naming the integration an alert came through (null for deliveries without one). */
export function receivedStep(envelope: AlertEnvelope): TraceStep | null {
  if (envelope.integration === undefined) return null;
  return step('normalize', 'received', `received by ${envelope.via} through integration "${envelope.integration}"`, { via: envelope.via, integration: envelope.integration });
}

/** Stages fingerprint -> classify -> route -> suppress -> delay for one alert, in that order. */
export function evaluateAlert(alert: NormalizedAlert, rules: Rules, nowMs: number, adHocWindows: readonly MaintenanceWindow[] = []): Evaluation {
  const identity = rules.identify(alert, nowMs);
  const fingerprint = fingerprintOf(identity.fingerprintKey);
  const byRule = identity.fingerprintKey !== alert.fingerprintKey;
  // Built with plain loops and assignments (no map/join, fromEntries or conditional spread): this runs per alert.
  const inputs: Record<string, string> = {};
  let names = '';
  for (const [name, value] of alert.identity) {
    if (name === '__proto__') Object.defineProperty(inputs, name, { value, enumerable: true, writable: true, configurable: true });
    else inputs[name] = value; // as Object.fromEntries makes it
    names = names === '' ? name : `${names}, ${name}`;
  }
  const data: Record<string, unknown> = { key: identity.fingerprintKey, inputs, fingerprint };
  if (identity.windowMinutes !== null) data.windowMinutes = identity.windowMinutes;
  const fpStep = step('fingerprint', byRule ? 'rule' : 'computed', byRule ? 'fingerprint from a dedup rule template' : `fingerprint from ${names}`, data);
  const classification = rules.classify(alert, fingerprint, nowMs);
  const routed = rules.route(alert, classification, nowMs);
  const suppressed = rules.suppress(alert, classification, routed.route, nowMs, adHocWindows);
  const delayed = rules.delay(alert, classification, routed.route);
  return {
    fingerprint,
    severity: classification.severity,
    tags: classification.tags,
    route: routed.route,
    suppression: suppressed.suppression,
    windowMinutes: identity.windowMinutes,
    holdMinutes: delayed.holdMinutes,
    trace: [...identity.trace, fpStep, ...classification.trace, ...routed.trace, ...suppressed.trace, ...delayed.trace],
  };
}

export interface QueueRecord {
  /** The transport's id of this record (SQS messageId), reported back on failure. */
  recordId: string;
  envelope: AlertEnvelope;
}

export interface ProcessDeps {
  store: IncidentStore;
  /**
   * Where the raw bodies the batch's messages carry are archived (one object per batch) before anything of the batch
   * is written; a batch carrying bodies without it fails (its records are retried).
   */
  archive?: Pick<RawArchive, 'put'>;
  escalator: Escalator;
  rules: Rules;
  /** Alerts per incident that keep their full trace in the alert log (config processing.alertLogLimit). */
  alertLogMax?: number;
  /** How far a source time may be ahead of the receive time (config processing.maxFutureSkewSeconds; default 300). */
  maxFutureSkewSeconds?: number;
  /** Ad-hoc maintenance windows in effect (created through the API); read once per batch. */
  maintenanceWindows?(): Promise<MaintenanceWindow[]>;
  /** Dependency edges that hold pages (`inhibitEdgesOf(dependencyEdges(config))`; none = no inhibition). */
  inhibitEdges?: readonly InhibitEdge[];
  /**
   * CloudWatch alarm tags and description for the rules (stage "enrich"), cached per alarm ARN; null = enrichment
   * is off (the trace says so); absent = no enrichment step at all (tests of other stages).
   */
  alarmDetails?: AlarmDetails | null;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  /** Jitter source in [0, 1): injected so tests are deterministic. */
  random(): number;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void;
}

export interface ProcessResult {
  failedRecordIds: string[];
  outcomes: AlertOutcome[];
  opened: Incident[];
}

/** Attempts per fingerprint group before giving up (the record is then retried by the queue). */
export const MAX_APPLY_ATTEMPTS = 20;
/** Parallel fingerprint groups per batch. */
export const GROUP_CONCURRENCY = 16;
/** Parallel groups that open an incident (they go first, before the groups that only count). */
export const OPENING_CONCURRENCY = 64;

/**
 * Processes a batch of queue records: skips deliveries already done, evaluates every alert, groups them by
 * fingerprint, applies each group with optimistic concurrency, starts or stops escalation, and marks deliveries
 * done. Returns the records that must be retried (every record that contributed to a failed group).
 */
export async function processEnvelopes(records: readonly QueueRecord[], deps: ProcessDeps): Promise<ProcessResult> {
  const result: ProcessResult = { failedRecordIds: [], outcomes: [], opened: [] };
  const failedMessages = new Set<string>();
  const recordsByMessage = new Map<string, string[]>();
  const toProcess: QueueRecord[] = [];

  for (const r of records) {
    const ids = recordsByMessage.get(r.envelope.messageKey);
    if (ids) {
      ids.push(r.recordId);
      continue; // the same delivery twice in one batch: processed once
    }
    recordsByMessage.set(r.envelope.messageKey, [r.recordId]);
    toProcess.push(r);
  }

  const unarchived: QueueRecord[] = [];
  await mapLimit(toProcess, GROUP_CONCURRENCY, async (r) => {
    try {
      if (await deps.store.isMessageDone(r.envelope.messageKey)) {
        for (const a of r.envelope.alerts) {
          result.outcomes.push({
            deliveryKey: a.deliveryKey, messageKey: r.envelope.messageKey, incidentId: null, outcome: 'duplicate',
            reason: 'duplicate-delivery',
            trace: [step('deduplicate', 'duplicate', `delivery ${r.envelope.messageKey} was already processed; counted once`)],
          });
        }
        return;
      }
      unarchived.push(r);
    } catch (err) {
      deps.log('warn', 'marker lookup failed; record will be retried', { messageKey: r.envelope.messageKey, error: String(err) });
      failedMessages.add(r.envelope.messageKey);
    }
  });

  // Stage "archive": the bodies the fresh messages carry, as one object, written while the batch reads.
  const { fresh, archived } = archiveCarriedBodies(unarchived, deps);
  const groups = await evaluateRecords(fresh, deps);
  const markerOnHead = singleGroupMessages(groups);
  // Messages whose marker rides on a head this batch wrote (in its idempotency ring): no marker item for them.
  const markedOnHead = new Set<string>();

  // Stage "inhibit": what holds a new incident of a service, read once per batch.
  const inhibitorFor = await batchInhibitor(deps.store, deps.inhibitEdges ?? [], [...groups.values()].flatMap((g) => g.map((a) => a.evaluation.route.service)));

  const { opening, rest, firstReads } = await openingGroupsFirst([...groups.values()], deps.store);
  // Nothing of the batch is written before its raw bodies are archived.
  const [toOpen, toCount] = (await batchArchived(archived, fresh, failedMessages, deps)) ? [opening, rest] : [[], []];
  const first = await planOpenings(toOpen, firstReads, deps, inhibitorFor, markerOnHead);
  const apply = async (alerts: EvaluatedAlert[]) => {
    try {
      await applyGroup(alerts, deps, result, inhibitorFor, first.get(alerts), markerOnHead, markedOnHead);
    } catch (err) {
      const messages = new Set(alerts.map((a) => a.messageKey));
      deps.log('error', 'fingerprint group failed; its records will be retried', {
        fingerprint: alerts[0]?.evaluation.fingerprint, messages: [...messages], error: err instanceof Error ? err.message : String(err),
      });
      for (const m of messages) failedMessages.add(m);
    }
  };
  // The groups that open an incident (and page) first, all of them, more at once: each waits on a few round trips
  // (its writes, the escalation start), not on the processor's CPU. Then the groups that only count.
  await mapLimit(toOpen, OPENING_CONCURRENCY, apply);
  await mapLimit(toCount, GROUP_CONCURRENCY, apply);

  const done = fresh.map((r) => r.envelope.messageKey).filter((m) => !failedMessages.has(m) && !markedOnHead.has(m));
  if (done.length > 0) {
    try {
      await deps.store.markMessagesDone(done, deps.clock.now().toISOString());
    } catch (err) {
      // Not fatal: the incidents' idempotency rings still absorb a redelivery.
      deps.log('warn', 'could not mark deliveries done', { error: String(err) });
    }
  }
  for (const m of failedMessages) result.failedRecordIds.push(...(recordsByMessage.get(m) ?? []));
  return result;
}

/**
 * Starts the write of the batch object of the raw bodies `records` carry (core/raw-batch.ts) and gives each such
 * record its line reference as archive key (known before the write ends). `archived` resolves to null once the
 * object is written (or when nothing is carried), to the error otherwise; it never rejects.
 */
function archiveCarriedBodies(records: readonly QueueRecord[], deps: ProcessDeps): { fresh: QueueRecord[]; archived: Promise<string | null> } {
  const batch = batchObjectOf(records.map((r) => r.envelope), deps.clock.now());
  if (!batch) return { fresh: [...records], archived: Promise.resolve(null) };
  const fresh = records.map((r) => {
    if (r.envelope.raw === undefined) return r;
    const { raw: _carried, ...envelope } = r.envelope;
    return { ...r, envelope: { ...envelope, archiveKey: batch.refs.get(r.envelope.messageKey)! } };
  });
  const archived = deps.archive
    ? deps.archive.put(batch.key, batch.body, batch.metadata, BATCH_CONTENT_TYPE).then(() => null, (err: unknown) => (err instanceof Error ? err.message : String(err)))
    : Promise.resolve('no raw archive to write the bodies the messages carry');
  return { fresh, archived };
}

/** Waits for the batch's archive write; when it failed, every fresh message fails (its records come again). */
async function batchArchived(archived: Promise<string | null>, fresh: readonly QueueRecord[], failedMessages: Set<string>, deps: ProcessDeps): Promise<boolean> {
  const error = await archived;
  if (error === null) return true;
  deps.log('error', 'could not archive the batch\'s raw bodies; its records will be retried', { error });
  for (const r of fresh) failedMessages.add(r.envelope.messageKey);
  return false;
}

/**
 * The messages all of whose alerts belong to one fingerprint group. Their delivery marker rides on the head the
 * group writes (an entry of its idempotency ring flagged `1`) instead of a marker item: the ring's check skips a
 * redelivery, and the planner turns the entry into a marker item when it leaves the ring or its head leaves the
 * fingerprint's latest two, written before the head. Messages of several groups keep their marker item.
 */
function singleGroupMessages(groups: ReadonlyMap<string, readonly EvaluatedAlert[]>): Set<string> {
  const groupOf = new Map<string, string | null>();
  for (const [fp, alerts] of groups) {
    for (const a of alerts) {
      const seen = groupOf.get(a.messageKey);
      groupOf.set(a.messageKey, seen === undefined || seen === fp ? fp : null);
    }
  }
  return new Set([...groupOf].filter(([, fp]) => fp !== null).map(([m]) => m));
}

/** Enrich, then evaluate every alert of the fresh records; grouped by fingerprint. */
async function evaluateRecords(fresh: readonly QueueRecord[], deps: ProcessDeps): Promise<Map<string, EvaluatedAlert[]>> {
  const nowMs = deps.clock.now().getTime();
  // Stage "enrich": one lookup per distinct CloudWatch alarm of the batch (cached); a failure is traced, never fatal.
  // It runs while the ad-hoc maintenance windows are read.
  const [windows, enrich] = await Promise.all([
    fresh.length > 0 && deps.maintenanceWindows ? deps.maintenanceWindows() : Promise.resolve([]),
    deps.alarmDetails === undefined ? null : alarmEnricher(fresh.flatMap((r) => r.envelope.alerts), deps.alarmDetails, deps.log),
  ]);
  const groups = new Map<string, EvaluatedAlert[]>();
  for (const r of fresh) {
    for (const [i, received] of r.envelope.alerts.entries()) {
      const bounded = boundSourceTime(received, r.envelope.receivedAt, deps.maxFutureSkewSeconds ?? MAX_FUTURE_SKEW_SECONDS);
      const enriched = enrich ? enrich(bounded.alert) : { alert: bounded.alert, step: null };
      const alert = enriched.alert;
      const evaluated = evaluateAlert(alert, deps.rules, nowMs, windows);
      const before = [bounded.step, receivedStep(r.envelope), enriched.step].filter((s): s is TraceStep => s !== null);
      const evaluation = before.length > 0 ? { ...evaluated, trace: [...before, ...evaluated.trace] } : evaluated;
      const list = groups.get(evaluation.fingerprint) ?? [];
      const deliveryIndex = r.envelope.offset === undefined ? {} : { deliveryIndex: r.envelope.offset + i };
      list.push({ alert, messageKey: r.envelope.messageKey, receivedAt: r.envelope.receivedAt, archiveKey: r.envelope.archiveKey, ...deliveryIndex, evaluation });
      groups.set(evaluation.fingerprint, list);
    }
  }
  return groups;
}

/**
 * Reads the latest incidents of every fingerprint group first, in one batched read (the store answers the batch's
 * new fingerprints together and queries the others), and orders the groups that open an incident (and page) before
 * the groups that only count alerts on an open one, so a new fingerprint's page does not wait behind the followers
 * of a storm. The reads serve as the first attempt's; when the read failed every group reads again in applyGroup
 * (which reports a failure).
 */
async function openingGroupsFirst(list: EvaluatedAlert[][], store: IncidentStore): Promise<{ opening: EvaluatedAlert[][]; rest: EvaluatedAlert[][]; firstReads: Map<EvaluatedAlert[], Incident[]> }> {
  const firstReads = new Map<EvaluatedAlert[], Incident[]>();
  try {
    const latest = await store.latestForFingerprints(list.map((alerts) => alerts[0]!.evaluation.fingerprint), 2);
    for (const alerts of list) {
      const read = latest.get(alerts[0]!.evaluation.fingerprint);
      if (read) firstReads.set(alerts, read);
    }
  } catch {
    // read again by applyGroup
  }
  const rank = (alerts: EvaluatedAlert[]): number => {
    const read = firstReads.get(alerts);
    if (!read) return 2;
    return read[0] && isOpen(read[0].status) ? 1 : 0;
  };
  const ordered = list.map((alerts, i) => ({ alerts, i, rank: rank(alerts) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
  return { opening: ordered.filter((x) => x.rank === 0).map((x) => x.alerts), rest: ordered.filter((x) => x.rank > 0).map((x) => x.alerts), firstReads };
}

/** A group's plan against the latest incidents of its fingerprint (newest first), at the clock's now. */
interface PlannedGroup {
  latest: Incident | null;
  plan: IncidentPlan;
}

function planGroup(alerts: EvaluatedAlert[], deps: ProcessDeps, inhibitorFor: (service: string) => Inhibitor | null, recent: Incident[], markerOnHead: ReadonlySet<string>): PlannedGroup {
  const now = deps.clock.now();
  const [latest = null, ...older] = recent;
  return { latest, plan: startedOnCreate(holdInhibited(planIncidentChanges(latest, alerts, now.toISOString(), now.getTime(), older, deps.alertLogMax, markerOnHead), inhibitorFor, now.toISOString())) };
}

/** What the first attempt of a group starts from: the batch's read of its heads, or its plan already made. */
type FirstAttempt = { read: Incident[] } | { planned: PlannedGroup } | undefined;

/**
 * Plans the groups that open an incident and writes the alert-log entries (and leaving markers) of all of them in
 * one batched write, before any of their heads (as each plan's own write would: a kill in between leaves entries
 * the redelivery rewrites under the same keys). Returns each group's first attempt: its plan without those items.
 * If that write fails, every group writes its own.
 */
async function planOpenings(
  opening: EvaluatedAlert[][], firstReads: ReadonlyMap<EvaluatedAlert[], Incident[]>, deps: ProcessDeps,
  inhibitorFor: (service: string) => Inhibitor | null, markerOnHead: ReadonlySet<string>,
): Promise<Map<EvaluatedAlert[], FirstAttempt>> {
  const planned = new Map<EvaluatedAlert[], PlannedGroup>();
  for (const alerts of opening) {
    const read = firstReads.get(alerts);
    if (read) planned.set(alerts, planGroup(alerts, deps, inhibitorFor, read, markerOnHead));
  }
  const plans = [...planned.values()].map((p) => p.plan);
  const first = new Map<EvaluatedAlert[], FirstAttempt>([...firstReads].map(([alerts, read]) => [alerts, { read }]));
  if (plans.length < 2) return first;
  try {
    const written = await deps.store.applyPlan({
      update: null, creates: [], timeline: [], outcomes: [], pages: [], settled: [],
      alertLog: plans.flatMap((p) => p.alertLog), markers: plans.flatMap((p) => p.markers ?? []),
    });
    if (written.kind !== 'applied') return first;
  } catch {
    return first;
  }
  for (const [alerts, p] of planned) first.set(alerts, { planned: { latest: p.latest, plan: { ...p.plan, alertLog: [], markers: [] } } });
  return first;
}

async function applyGroup(
  alerts: EvaluatedAlert[], deps: ProcessDeps, result: ProcessResult, inhibitorFor: (service: string) => Inhibitor | null,
  first: FirstAttempt, markerOnHead: ReadonlySet<string>, markedOnHead: Set<string>,
): Promise<void> {
  const fp = alerts[0]!.evaluation.fingerprint;
  for (let attempt = 1; attempt <= MAX_APPLY_ATTEMPTS; attempt++) {
    const { latest, plan } = attempt === 1 && first && 'planned' in first ? first.planned
      : planGroup(alerts, deps, inhibitorFor, attempt === 1 && first && 'read' in first ? first.read : await deps.store.recentForFingerprint(fp, 2), markerOnHead);
    const nothingToWrite = plan.update === null && plan.creates.length === 0;
    const applied = nothingToWrite ? { kind: 'applied' as const } : await deps.store.applyPlan(plan);
    if (applied.kind === 'conflict') {
      const backoff = Math.min(1000, 10 * 2 ** attempt) * (0.5 + deps.random());
      await deps.sleep(backoff);
      continue;
    }
    for (const head of [...(plan.update ? [plan.update.after] : []), ...plan.creates]) {
      for (const [key, , onHead] of head.recentMessages) if (onHead === 1) markedOnHead.add(key);
    }
    // A message of this fingerprint whose every alert was a stale state change needs no marker at all: the newest
    // state time only moves forward, so its redelivery is stale again (and ignored with the same reason).
    const stale = new Map<string, boolean>();
    for (const o of plan.outcomes) {
      if (markerOnHead.has(o.messageKey)) stale.set(o.messageKey, (stale.get(o.messageKey) ?? true) && o.reason === REASONS.staleStateChange);
    }
    for (const [key, allStale] of stale) if (allStale) markedOnHead.add(key);
    result.outcomes.push(...plan.outcomes);
    result.opened.push(...plan.creates);
    for (const o of plan.outcomes) {
      deps.log('debug', 'alert decision', { deliveryKey: o.deliveryKey, outcome: o.outcome, reason: o.reason, incidentId: o.incidentId });
    }
    // Escalation: start for the incidents this write opened (written as started: no second head write), for
    // pending ones (their start is confirmed on the head), and again for one whose opening message is redelivered
    // before its first page was recorded (a crash between the write and the start); stop for settled ones.
    const redriven = latest && !plan.update && opensAgain(latest, alerts) ? [latest] : [];
    const pending = [...(plan.update ? [plan.update.after] : []), ...(latest && !plan.update ? [latest] : [])]
      .filter((inc) => inc.escalation === 'pending' && inc.status === 'triggered');
    await Promise.all([
      ...[...plan.pages, ...redriven].map((inc) => deps.escalator.start(inc)),
      ...pending.map(async (inc) => {
        await deps.escalator.start(inc);
        await markEscalationStarted(deps, inc.id);
      }),
    ]);
    for (const inc of plan.settled) if (!isOpen(inc.status) || inc.status === 'acknowledged') await deps.escalator.stop(inc, `${inc.status} by source`);
    // Held dependents of an incident this batch closed page now (the sweeper retries what fails here).
    if ((deps.inhibitEdges ?? []).length > 0) {
      for (const inc of plan.settled.filter((s) => !isOpen(s.status))) {
        try {
          const released = await releaseHeldBy({ ...deps, inhibitEdges: deps.inhibitEdges }, inc);
          if (released.length > 0) deps.log('info', 'held pages released', { upstream: inc.id, released });
        } catch (err) {
          deps.log('warn', 'could not release held pages; the sweeper will', { upstream: inc.id, error: String(err) });
        }
      }
    }
    return;
  }
  throw new TransientError(`gave up after ${MAX_APPLY_ATTEMPTS} conflicting attempts on fingerprint ${fp}`);
}

/**
 * The incidents a plan opens to page are written with `escalation: 'started'`: the processor starts them right
 * after the write, so the start needs no second write of the head to be confirmed. (Held incidents keep `none`.)
 */
function startedOnCreate(plan: IncidentPlan): IncidentPlan {
  const paging = new Set(plan.creates.filter((inc) => inc.escalation === 'pending' && inc.status === 'triggered').map((inc) => inc.id));
  if (paging.size === 0) return { ...plan, pages: [] };
  const creates = plan.creates.map((inc) => (paging.has(inc.id) ? { ...inc, escalation: 'started' as const } : inc));
  return { ...plan, creates, pages: creates.filter((inc) => paging.has(inc.id)) };
}

/**
 * Whether a batch redelivers a message already applied to `latest` while `latest` still pages and has no page
 * recorded (`escalationStep` -1): the processor that opened it may have crashed between the write and the start, so
 * the start is driven again (a state machine start is idempotent by name; an inline page may then go out twice,
 * only after such a failure).
 */
function opensAgain(latest: Incident, alerts: readonly EvaluatedAlert[]): boolean {
  if (latest.status !== 'triggered' || latest.escalation !== 'started' || latest.escalationStep >= 0) return false;
  const applied = new Set(latest.recentMessages.map(([k]) => k));
  return alerts.some((a) => applied.has(a.messageKey));
}
