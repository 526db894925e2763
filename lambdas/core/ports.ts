/**
 * Ports: everything the core needs from the outside world, declared here and only here by the core (the consumer).
 * Adapters in lambdas/adapters implement them for AWS and for the local runtime (docs/architecture.md §Ports and
 * adapters). Storage: IncidentStore, OperationsStore, RawArchive. Queues: AlertQueue, DeadLetters. Escalation:
 * Escalator (the core's createEscalator over an EscalationTransport). Notification: NotificationSender. Ingest
 * security: TokenSource, IntegrationSecrets, SecretVersions, SnsVerifier. Status page: StatusStore, StatusSiteWriter.
 * Postmortems: PostmortemStore, PublishedDocuments. Insights: RollupStore (and PublishedDocuments for the incident
 * history). CloudWatch alarms: AlarmDetails. Time: Clock.
 */
import type { AlertEnvelope } from './model/alert';
import type { AlertRecord, Incident, IncidentStatus, TimelineEvent } from './model/incident';
import type { IncidentPlan } from './deduplicate';
import type { Fingerprint } from './fingerprint';
import type { ScheduleOverride } from './oncall/schedule';
import type { EscalationState } from './escalation/plan';
import type { Delivery } from './escalation/recipients';
import type { RenderedPage } from './notify/channels';
import type { StatusChange, StatusFile, StatusIncident, StatusOverride } from './status/model';
import type { Postmortem, PostmortemListFilters, PostmortemSummary } from './postmortem/model';
import type { RollupKind, RollupRow, RollupUpdate } from './insights/rollup';
import type { MetricName } from './metric-names';

export interface Clock {
  now(): Date;
}

/** An archived delivery: the body as received, the metadata it was archived with (source, via, receivedAt, ...). */
export interface ArchivedObject {
  body: string;
  metadata: Record<string, string>;
  contentType?: string;
}

/** Where raw payloads are kept for replay and for the console (S3 in AWS, a folder locally). */
export interface RawArchive {
  /** Writes one object (content type `application/json` unless given). */
  put(key: string, body: string, metadata: Record<string, string>, contentType?: string): Promise<void>;
  /**
   * The delivery archived under `ref`: the whole object under a key, or for a line reference into a batch object
   * (`<key>#bytes=<first>-<last>`, core/raw-batch.ts) the delivery on that line with its own metadata. Undefined when
   * there is none (never archived, deleted since, or a malformed reference).
   */
  get(ref: string): Promise<ArchivedObject | undefined>;
}

/** The durable queue between ingest and processor (SQS in AWS, the local durable queue). */
export interface AlertQueue {
  /** Resolves only when every envelope is durably enqueued; throws otherwise. */
  send(envelopes: readonly AlertEnvelope[]): Promise<void>;
}

/** Messages that can never be processed go here with their reason instead of into a retry loop. */
export interface DeadLetters {
  put(body: string, reason: string): Promise<void>;
}

export interface IncidentQuery {
  status?: IncidentStatus | undefined;
  service?: string | undefined;
  severity?: string | undefined;
  tag?: { key: string; value: string | null } | undefined;
  /** The route's team. */
  team?: string | undefined;
  source?: string | undefined;
  /** ISO bounds on openedAt. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface IncidentPage {
  items: Incident[];
  cursor: string | null;
}

/** A state change requested by a person through the API. */
export interface IncidentTransition {
  status?: IncidentStatus;
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
  resolvedAt?: string | null;
  resolvedBy?: string | null;
}

export type ApplyResult = { kind: 'applied' } | { kind: 'conflict'; reason: string };

export interface IncidentStore {
  /** The most recent incidents of a fingerprint, newest first (at most `limit`), read consistently. */
  recentForFingerprint(fp: Fingerprint, limit: number): Promise<Incident[]>;
  /**
   * `recentForFingerprint` for many fingerprints at once (a processor batch's): every fingerprint asked for is in
   * the map, with `[]` when it has no incident. The DynamoDB store learns which fingerprints have none with one
   * consistent BatchGetItem of their first head per 100 fingerprints, and queries only the others.
   */
  latestForFingerprints(fps: readonly Fingerprint[], limit: number): Promise<Map<Fingerprint, Incident[]>>;
  /** Applies a plan: the update under a version check, then the creates, then timeline and alert log. */
  applyPlan(plan: IncidentPlan): Promise<ApplyResult>;
  getIncident(id: string): Promise<Incident | null>;
  listIncidents(query: IncidentQuery): Promise<IncidentPage>;
  timeline(id: string): Promise<TimelineEvent[]>;
  alerts(id: string): Promise<AlertRecord[]>;
  appendTimeline(events: readonly TimelineEvent[]): Promise<void>;
  /** Writes `after` if the stored version is still `before.version`. */
  replaceIncident(before: Incident, after: Incident): Promise<ApplyResult>;
  /**
   * Records that step `step` of the incident's escalation was paged: from then on the incident reads with
   * `escalationStep` at least `step`, and a `pending` escalation reads `started` when `step` is after the step its
   * document last recorded (a page proves its run started). Not a rewrite of the incident and no version check, so
   * it never conflicts with the processor counting alerts on the same head, and such a rewrite keeps it. Nothing is
   * written for an unknown incident or a step not after the one recorded.
   */
  recordPagedStep(incidentId: string, step: number): Promise<void>;
  /** Whether a delivery (message key) has been fully processed. */
  isMessageDone(messageKey: string): Promise<boolean>;
  markMessagesDone(messageKeys: readonly string[], at: string): Promise<void>;
}

/** Starts and stops escalation for incidents (Step Functions in AWS, the local state machine runner). */
export interface Escalator {
  start(incident: Incident): Promise<void>;
  stop(incident: Incident, reason: string): Promise<void>;
}

export interface EscalationTransport {
  /** Starts the state machine; must be idempotent for the same name (an existing execution counts as started). */
  startExecution(name: string, state: EscalationState): Promise<void>;
  /** Stops a running execution; a missing or finished one is not an error. */
  stopExecution(name: string, reason: string): Promise<void>;
  /** Runs the single step of a plan that needs no execution (asynchronously in AWS: a Lambda event invoke). */
  pageInline(state: EscalationState): Promise<void>;
}

/** A schedule override created through the API, with who created it and when. */
export interface ScheduleOverrideRecord extends ScheduleOverride {
  createdBy: string;
  createdAt: string;
}

/** A maintenance window created through the API (always one-off, always with an end). */
export interface AdHocMaintenanceRecord {
  id: string;
  name: string;
  reason?: string;
  services: string[];
  when: string | null;
  start: string;
  end: string;
  /** Shown on the status page (announced in advance, under_maintenance while it runs). Absent = false. */
  public?: boolean;
  createdBy: string;
  createdAt: string;
}

/** What a single-use link did, recorded with its nonce. */
export interface NonceUse {
  /** When the link was used (ISO 8601). */
  at: string;
  /** What it did, e.g. `acknowledge`. */
  action: string;
}

/** Runtime-only state changed through the API or by notifications (not config). */
export interface OperationsStore {
  listOverrides(schedule?: string): Promise<ScheduleOverrideRecord[]>;
  putOverride(record: ScheduleOverrideRecord): Promise<void>;
  deleteOverride(schedule: string, id: string): Promise<boolean>;
  /** Windows that have not ended by `nowIso`. */
  listMaintenance(nowIso: string): Promise<AdHocMaintenanceRecord[]>;
  putMaintenance(record: AdHocMaintenanceRecord): Promise<void>;
  deleteMaintenance(id: string): Promise<boolean>;
  /** Records a single-use nonce (and what it was used for); true the first time, false afterwards. */
  consumeNonce(nonce: string, expiresAtIso: string, use?: NonceUse): Promise<boolean>;
  /** How a nonce was used, or null when it was not (`use` null: used, but recorded without the details). */
  usedNonce(nonce: string): Promise<{ use: NonceUse | null } | null>;
  /** Counts a send on `channel` in the minute `minute` (epoch minutes); false when `max` sends were already counted. */
  reserveSend(channel: string, minute: number, max: number): Promise<boolean>;
}

export type SendResult = { ok: true; detail?: string } | { ok: false; status?: number; error: string };

/** Sends one page, rendered for every channel type (notify/channels), through one delivery (or to the local outbox). */
export interface NotificationSender {
  send(delivery: Delivery, page: RenderedPage, incident: Incident): Promise<SendResult>;
}

/** Secret tokens (ingest path tokens, the API bearer token): Secrets Manager in AWS, fixed values locally. */
export interface TokenSource {
  /** The currently valid tokens (one, or two during a rotation). */
  tokens(): Promise<string[]>;
}

/**
 * The token secrets of the ingest integrations (docs/deploy.md, "Integrations and token rotation"): one Secrets
 * Manager secret per integration in AWS, `DATA_DIR/local-secrets.json` locally.
 */
export interface IntegrationSecrets {
  /**
   * The stored secret of an integration (parsed JSON; core/integrations/tokens.ts reads it), null when it has none.
   * `fresh`: re-read a value cached for more than a few seconds (after a miss: a token rotated a moment ago).
   */
  secret(integration: string, options?: { fresh?: boolean }): Promise<unknown>;
}

/**
 * The versions of a secret during a Secrets Manager rotation (staging labels AWSCURRENT, AWSPENDING): what the
 * integration token rotation function needs (core/integrations/rotation.ts).
 */
export interface SecretVersions {
  /** The secret's name and the staging labels of each version id. */
  describe(secretId: string): Promise<{ name: string; versions: Record<string, string[]> }>;
  /** A version's value by id or staging label; null when there is no such version. */
  value(secretId: string, version: { versionId: string } | { stage: 'AWSCURRENT' | 'AWSPENDING'; versionId?: string }): Promise<string | null>;
  /** Stores a value as version `versionId` with the label AWSPENDING (idempotent for one id). */
  putPending(secretId: string, versionId: string, value: string): Promise<void>;
  /** Moves AWSCURRENT from version `from` to version `to`. */
  promote(secretId: string, to: string, from: string): Promise<void>;
}

/** Verifies SNS HTTPS deliveries (topic allow-list, then signature) and confirms subscriptions. */
export interface SnsVerifier {
  /** Throws AuthenticationError unless the topic is allowed and the signature is valid. */
  verify(original: Record<string, unknown>, topicArn: string): Promise<void>;
  /** Confirms a subscription (after `verify`). */
  confirmSubscription(subscribeUrl: string): Promise<void>;
}

/**
 * The status page's runtime state: overrides, status incidents with their updates, and the recorded history of
 * component statuses (uptime is computed from it). DynamoDB items in the incident table; see docs/architecture.md.
 */
export interface StatusStore {
  /** Overrides that have not ended by `nowIso`. */
  listStatusOverrides(nowIso: string): Promise<StatusOverride[]>;
  putStatusOverride(record: StatusOverride): Promise<void>;
  deleteStatusOverride(id: string): Promise<boolean>;
  /** Status incidents created at or after `sinceIso`, plus every unresolved one, newest first. */
  listStatusIncidents(sinceIso: string): Promise<StatusIncident[]>;
  getStatusIncident(id: string): Promise<StatusIncident | null>;
  putStatusIncident(record: StatusIncident): Promise<void>;
  /** The last recorded status of each service. */
  currentStatuses(): Promise<StatusChange[]>;
  /** Records changes (each becomes its service's current status and a history entry). */
  recordStatusChanges(changes: readonly StatusChange[]): Promise<void>;
  /** A service's changes at or after `sinceIso`, oldest first, preceded by the last one before it (if any). */
  statusHistory(service: string, sinceIso: string): Promise<StatusChange[]>;
}

/** Where the rendered status site goes (S3 in AWS, a folder under DATA_DIR locally). */
export interface StatusSiteWriter {
  write(files: readonly StatusFile[]): Promise<void>;
}

/** Postmortems, one per incident (DynamoDB item `PM#<incident id>` / `P` in AWS and locally). */
export interface PostmortemStore {
  get(incidentId: string): Promise<Postmortem | null>;
  /**
   * Writes `pm` if the stored postmortem is still at `expectedVersion` (null: only if there is none yet);
   * a conflict otherwise.
   */
  put(pm: Postmortem, expectedVersion: number | null): Promise<ApplyResult>;
  /**
   * Summaries of the stored postmortems that pass the filters, newest incident first (by the incident's openedAt),
   * at most `limit`; `cursor` is null only when no further postmortem passes them (or, with a cursor, continue from
   * there: the read stopped at its budget).
   */
  list(query: PostmortemQuery): Promise<PostmortemPage>;
}

export interface PostmortemQuery extends PostmortemListFilters {
  limit: number;
  cursor?: string | undefined;
}

export interface PostmortemPage {
  items: PostmortemSummary[];
  cursor: string | null;
}

/** Where published documents go (the archive bucket in AWS, the data directory locally). */
/**
 * Rollups of resolved incidents per day and dimension (docs/insights.md §Rollups): DynamoDB items in the incident
 * table, ADDed to, so updates of different incidents commute.
 */
export interface RollupStore {
  /**
   * Adds the updates of a resolved incident, once: a marker per incident is written first, so a second call for
   * the same incident adds nothing and answers false.
   */
  addResolved(incidentId: string, updates: readonly RollupUpdate[], atIso: string): Promise<boolean>;
  /** The stored rows of one kind for the days `firstDay`..`lastDay` (`YYYY-MM-DD`, inclusive). */
  read(kind: RollupKind, firstDay: string, lastDay: string): Promise<RollupRow[]>;
}

export interface PublishedDocuments {
  put(key: string, body: string, contentType: string): Promise<void>;
  get(key: string): Promise<string | null>;
}

/**
 * Tells the status page that a component's status may have changed (an incident opened, acknowledged, resolved; an
 * override or update published), so it re-renders now rather than at its next scheduled run. Cheap and
 * fire-and-forget: an asynchronous invoke of the renderer in AWS.
 */
export interface StatusNotifier {
  statusMayHaveChanged(reason: string): Promise<void>;
}

/** What CloudWatch says about one alarm (ListTagsForResource + DescribeAlarms), for rules (`alarm.*`). */
export interface AlarmInfo {
  tags: Record<string, string>;
  /** The alarm's description (`AlarmDescription`); empty when it has none. */
  description: string;
  /** Its state when it was read (absent when the answer had none). */
  state?: string;
}

/** An alarm to look up by name in one Region (DescribeAlarms takes up to 100 names per call). */
export interface AlarmRef {
  region: string;
  name: string;
}

/** An alarm's current state as DescribeAlarms answers it. */
export interface AlarmStateReading {
  region: string;
  name: string;
  arn: string;
  state: string;
  /** When the alarm entered this state (ISO 8601). */
  stateUpdatedAt: string;
}

/**
 * CloudWatch alarms: their tags and description for the rules (the processor, cached per alarm ARN by
 * core/enrich/alarm-details-cache.ts), and their current states for the sweeper's reconciliation. CloudWatch in AWS,
 * the config's `cloudwatchAlarms.local` locally. Both throw when CloudWatch cannot answer; the caller traces why.
 */
export interface AlarmDetails {
  describe(alarmArn: string): Promise<AlarmInfo>;
  /** The states of these alarms; an alarm CloudWatch does not know is left out. */
  states(alarms: readonly AlarmRef[]): Promise<AlarmStateReading[]>;
  /** CloudWatch API calls made so far (the bench prints them per alert; the local stand-in counts its answers). */
  apiCalls(): number;
}

/**
 * The pipeline's own operational metrics (docs/deploy.md, "Operating the pipeline"). The core derives the points
 * (`core/metrics.ts`); handlers hand them to the sink, which buffers them and writes them once per invocation
 * (`flush`): CloudWatch embedded metric format lines in AWS, nothing locally. Never one API call per alert.
 */
export type { MetricName };

export interface MetricPoint {
  /** One of METRIC_NAMES (core/metric-names.ts). */
  name: MetricName;
  value: number;
  unit: 'Count' | 'Milliseconds';
  /** One extra dimension (e.g. `channel`, `source`); the point is also counted without it, for alarms. */
  dimension?: { name: string; value: string };
}

export interface MetricsSink {
  add(points: readonly MetricPoint[]): void;
  /** Writes what was added since the last flush (once per invocation). */
  flush(): void;
}
