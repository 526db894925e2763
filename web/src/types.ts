/** The API's types, imported type-only from the server (no server code reaches the bundle). */
export type { AlertRecord, Incident, IncidentStatus, TimelineEvent } from '../../lambdas/core/model/incident';
export type { Severity } from '../../lambdas/core/model/alert';
export type { TraceStage, TraceStep } from '../../lambdas/core/model/trace';
export type { RuleBook, RuleBookEntry } from '../../lambdas/core/rules/rule-book';
export type { ActionItem, Postmortem, PostmortemStatus, PostmortemSummary } from '../../lambdas/core/postmortem/model';
export type { AwaitingPostmortem } from '../../lambdas/core/postmortem/service';
export type { SourceName } from '../../lambdas/core/normalize/registry';
export type { AnalyticsResult, NoiseRow, Summary } from '../../lambdas/core/insights/analytics';
export type { ComponentState, ComponentStatus, StatusIncident, StatusOverride, StatusWhy, UpdateStatus } from '../../lambdas/core/status/model';
export type { OnCall } from '../../lambdas/core/oncall/schedule';
export type { RawPayload } from '../../lambdas/core/raw-payload';

import type { AlertRecord, Incident, TimelineEvent } from '../../lambdas/core/model/incident';
import type { RuleBook } from '../../lambdas/core/rules/rule-book';
import type { PostmortemSummary } from '../../lambdas/core/postmortem/model';
import type { AwaitingPostmortem } from '../../lambdas/core/postmortem/service';

/** The API's view of an incident (without the internal idempotency ring). */
export type PublicIncident = Omit<Incident, 'recentMessages'>;

/** GET /api/incidents/{id}. */
export interface IncidentDetail {
  incident: PublicIncident;
  /** Each alert of the alert log with its `alertId` (the id of its raw payload route). */
  alerts: Array<AlertRecord & { alertId: string }>;
  timeline: TimelineEvent[];
  rules: RuleBook;
}

/** GET /api/incidents: a page of incidents; `nextCursor` is null when nothing more matches. */
export interface IncidentPage {
  incidents: PublicIncident[];
  nextCursor: string | null;
}

/** GET /api/postmortems: a page of postmortem summaries, newest incident first. */
export interface PostmortemPage {
  postmortems: PostmortemSummary[];
  nextCursor: string | null;
  /** On the first page: resolved incidents of an auto-drafted severity still without a postmortem. */
  awaiting: AwaitingPostmortem[];
}

/** GET /api/me (identity contract): who the console acts as. */
export interface Identity {
  actor: string;
  role: 'viewer' | 'responder' | 'admin';
  via: string;
}
