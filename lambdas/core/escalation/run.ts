/**
 * Stage "escalate" and "notify": one step of an escalation, run by the state machine's Page task (and inline for
 * plans that need no execution). Re-checks the incident, pages the step's level through the notification ports with
 * retries and per-channel rate caps, records every page and every delivery attempt on the timeline, and says how
 * long to wait before the next step.
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { Incident, TimelineEvent } from '../model/incident';
import type { Clock, IncidentStore, MetricsSink, NotificationSender, OperationsStore, SendResult } from '../ports';
import { pageMetrics } from '../metrics';
import { signActionToken, actionUrl, type IncidentLinkAction } from '../notify/action-links';
import { renderAll, type RenderedPage } from '../notify/channels';
import type { PageMessageInput } from '../notify/text';
import { classifyDeliveryFailure, retryDelays } from '../notify/retry';
import { stepAt, stepCount, type EscalationState } from './plan';
import { deliveriesFor, recipientsFor, type Delivery, type Recipient } from './recipients';

export interface EscalationDeps {
  config: PipelineConfig;
  store: IncidentStore;
  ops: OperationsStore;
  sender: NotificationSender;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  random(): number;
  newNonce(): string;
  /** Public base URL of the API, for `/act/<token>` links. */
  publicBaseUrl: string;
  /** HMAC key of action links (the newest; verification accepts older ones). */
  actionLinkKey: string;
  /** Where the step's metrics go (pages, time to page, deliveries per channel); none = not measured. */
  metrics?: MetricsSink;
}

/** How long a one-click link works. */
export const ACTION_LINK_TTL_MS = 24 * 3600 * 1000;
/** Attempts per delivery (the first plus retries) and their backoff. */
export const DELIVERY_ATTEMPTS = 3;
/** Per-minute caps of the built-in (unnamed) SNS paths. */
export const BUILTIN_RATE = { email: 30, sms: 10 } as const;

function describeRecipient(r: Recipient): string {
  if (r.kind === 'person') return `${r.person} (${r.via})`;
  if (r.kind === 'channel') return `channel ${r.channel}`;
  const what = 'schedule' in r && r.schedule ? `schedule ${r.schedule}` : 'team' in r && r.team ? `team ${r.team}` : 'person' in r && r.person ? `person ${r.person}` : 'channel' in r && r.channel ? `channel ${r.channel}` : 'target';
  return `nobody for ${what} (${r.reason})`;
}

function deliveryLabel(d: Delivery): string {
  const who = d.person ? `${d.person} ` : '';
  return `${who}via ${d.type}${d.channel ? `:${d.channel}` : ''}`;
}

/** Who a delivery's links are signed for: the person paged, or the shared channel (`channel <name>`). */
export function linkRecipient(d: Pick<Delivery, 'person' | 'channel'>): string | undefined {
  return d.person ?? (d.channel ? `channel ${d.channel}` : undefined);
}

/** Renders the page for every channel type, with one-click links signed for their recipient. */
export function renderPage(
  deps: Pick<EscalationDeps, 'publicBaseUrl' | 'actionLinkKey' | 'newNonce'>, incident: Incident, level: number, round: number, nowMs: number, recipient?: string,
): RenderedPage {
  const link = (action: IncidentLinkAction) => actionUrl(deps.publicBaseUrl, signActionToken(
    { incidentId: incident.id, action, expiresAtMs: nowMs + ACTION_LINK_TTL_MS, nonce: deps.newNonce(), recipient }, deps.actionLinkKey));
  const input: PageMessageInput = { incident, level, round, ackUrl: link('acknowledge'), resolveUrl: link('resolve') };
  return renderAll(input);
}

function channelLimit(config: PipelineConfig, d: Delivery): { key: string; max: number } {
  if (d.channel) {
    const c = config.channels.find((x) => x.name === d.channel);
    return { key: d.channel, max: c?.maxPerMinute ?? 30 };
  }
  return { key: `builtin-${d.type}`, max: d.type === 'sms' ? BUILTIN_RATE.sms : BUILTIN_RATE.email };
}

/** "to alice via email", "via slack:ops-slack": the page's recipient for the timeline. */
function pageLabel(d: Delivery): string {
  return d.person ? `to ${deliveryLabel(d)}` : deliveryLabel(d);
}

/**
 * Longest a page waits for room under its channel's rate cap. The cap protects the channel (Slack, Teams and SNS
 * throttle), not the incident: a page that waited this long is sent over the cap rather than dropped. Within the
 * escalation-step function's timeout (5 minutes) with room for the send retries.
 */
export const RATE_CAP_MAX_WAIT_MS = 3 * 60_000;

const hhmmss = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** Why a delivery was not sent: the incident was acknowledged or resolved (or is gone), or the step was already paged. */
type Cancelled = 'settled' | 'paged' | null;

/** The step a delivery belongs to, and the newest head any of its re-reads found (the step is recorded on it). */
interface StepContext {
  step: number;
  policy: string;
  latest: Incident;
}

/**
 * Delivers one page: waits for room under the channel's rate cap (the next minute window; never dropped), then sends
 * with retries. Right before every send attempt it re-reads the incident: once an acknowledgement or resolve has been
 * recorded, or the step recorded as paged (a second run of the same step), nothing more is sent and the timeline says
 * the page was cancelled and why. The first reservation under the cap and the first re-read go out together, so a
 * page that needs no wait is one round trip from its send. Returns the timeline entries.
 */
async function deliver(deps: EscalationDeps, ctx: StepContext, d: Delivery, page: RenderedPage): Promise<{ events: TimelineEvent[]; cancelled: Cancelled }> {
  const incident = ctx.latest;
  const events: TimelineEvent[] = [];
  const nowMs = () => deps.clock.now().getTime();
  const note = (message: string, data: Record<string, unknown>) =>
    events.push({ incidentId: incident.id, at: new Date(nowMs()).toISOString(), type: 'notification', actor: 'pipeline', message, data });
  /** Why the page must not go out now (and recorded), or null. */
  const cancelled = async (): Promise<Cancelled> => {
    const current = await deps.store.getIncident(incident.id);
    if (current && current.version > ctx.latest.version) ctx.latest = current;
    if (current && current.status === 'triggered' && current.escalationStep < ctx.step) return null;
    const data = { outcome: 'cancelled', status: current?.status ?? null, type: d.type, channel: d.channel, person: d.person ?? null };
    if (current && current.status === 'triggered') {
      note(`Cancelled the page ${pageLabel(d)}: step ${ctx.step + 1} of policy ${ctx.policy} was already paged`, data);
      return 'paged';
    }
    const by = current?.status === 'acknowledged' ? [current.acknowledgedBy, current.acknowledgedAt] : current?.status === 'resolved' ? [current.resolvedBy, current.resolvedAt] : [null, null];
    const why = !current ? 'the incident no longer exists' : `the incident was ${current.status}${by[0] ? ` by ${by[0]}` : ''}${by[1] ? ` at ${by[1]}` : ''}`;
    note(`Cancelled the page ${pageLabel(d)}: ${why}`, data);
    return 'settled';
  };

  const limit = channelLimit(deps.config, d);
  const waitStart = nowMs();
  const reserve = () => deps.ops.reserveSend(limit.key, Math.floor(nowMs() / 60_000), limit.max);
  const [reserved, before] = await Promise.all([reserve(), cancelled()]);
  if (before) return { events, cancelled: before };
  let room = reserved;
  while (!room) {
    const at = nowMs();
    const nextWindow = (Math.floor(at / 60_000) + 1) * 60_000;
    if (nextWindow - waitStart > RATE_CAP_MAX_WAIT_MS) {
      note(`Rate cap of ${limit.max}/min on ${limit.key} still reached after ${Math.round((at - waitStart) / 1000)} s: sending the page ${pageLabel(d)} over the cap rather than dropping it`, { outcome: 'over-cap', channel: limit.key, type: d.type, waitedMs: at - waitStart });
      break;
    }
    note(`Rate-capped: ${limit.key} allows ${limit.max}/min; the page ${pageLabel(d)} is delayed until ${hhmmss(nextWindow)}`, { outcome: 'delayed', channel: limit.key, type: d.type, until: new Date(nextWindow).toISOString() });
    await deps.sleep(nextWindow - at);
    room = await reserve();
  }

  const delays = retryDelays(DELIVERY_ATTEMPTS - 1, 500, 4000, deps.random);
  for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
    // The first attempt after no wait sends on the re-read made with the reservation.
    const why = attempt === 1 && reserved ? null : await cancelled();
    if (why) return { events, cancelled: why };
    let result: SendResult;
    try {
      result = await deps.sender.send(d, page, incident);
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const waited = nowMs() - waitStart;
    if (result.ok) {
      note(`Sent ${deliveryLabel(d)} (attempt ${attempt})${waited >= 1000 ? `, ${Math.round(waited / 1000)} s after the rate cap delayed it` : ''}${result.detail ? `: ${result.detail}` : ''}`,
        { outcome: 'sent', attempt, type: d.type, channel: d.channel, person: d.person ?? null, ...(waited >= 1000 ? { delayedMs: waited } : {}) });
      return { events, cancelled: null };
    }
    const failure = classifyDeliveryFailure(result.status, result.error);
    const last = attempt === DELIVERY_ATTEMPTS || !failure.retryable;
    note(`Failed ${deliveryLabel(d)} (attempt ${attempt}): ${result.error}${last ? (failure.retryable ? '; giving up' : '; not retryable') : '; will retry'}`,
      { outcome: 'failed', attempt, final: last, type: d.type, channel: d.channel, person: d.person ?? null, status: result.status ?? null, reason: failure.reason });
    if (last) return { events, cancelled: null };
    await deps.sleep(delays[attempt - 1] ?? 1000);
  }
  return { events, cancelled: null };
}

/**
 * Runs step `state.step` of the incident's frozen plan. Returns the next state: `done` when the incident no longer
 * needs escalation (acknowledged, resolved, suppressed) or the plan is exhausted.
 */
export async function runEscalationStep(deps: EscalationDeps, input: EscalationState): Promise<EscalationState> {
  const nowMs = deps.clock.now().getTime();
  const nowIso = new Date(nowMs).toISOString();
  // The inline page carries the incident the processor has just written (no read); the next state never does.
  const { incident: carried, ...state } = input;
  const incident = carried ?? await deps.store.getIncident(state.incidentId);
  const finish = (): EscalationState => ({ ...state, waitSeconds: 0, done: true });
  if (!incident) return finish();
  if (incident.status !== 'triggered') {
    await deps.store.appendTimeline([{
      incidentId: incident.id, at: nowIso, type: 'escalated', actor: 'pipeline',
      message: `Escalation stopped before step ${state.step + 1}: the incident is ${incident.status}`,
    }]);
    return finish();
  }
  const step = stepAt(state.plan, state.step);
  if (step.kind === 'exhausted') {
    await deps.store.appendTimeline([{
      incidentId: incident.id, at: nowIso, type: 'escalated', actor: 'pipeline',
      message: `Escalation exhausted: all ${stepCount(state.plan)} steps of policy ${state.plan.policy} paged and nobody acknowledged`,
    }]);
    return finish();
  }
  // A step the incident already records as paged is not paged again: the same step started twice (the redelivery of
  // the message that opened the incident re-drives its start after a crash; an asynchronous invoke retried).
  const alreadyPaged = async (): Promise<EscalationState> => {
    await deps.store.appendTimeline([{
      incidentId: incident.id, at: nowIso, type: 'escalated', actor: 'pipeline',
      message: `Step ${state.step + 1} of policy ${state.plan.policy} was already paged: not paged again`,
    }]);
    return { ...state, step: state.step + 1, waitSeconds: step.waitSeconds, done: false };
  };
  if (incident.escalationStep >= state.step) return alreadyPaged();
  // Reassigned incidents page the assignee instead of the policy's targets.
  const targets = incident.assignee ? [{ person: incident.assignee }] : step.targets;
  const scheduleNames = [...new Set(targets.flatMap((t) => ('schedule' in t ? [t.schedule] : [])))];
  const overrides = (await Promise.all(scheduleNames.map((s) => deps.ops.listOverrides(s)))).flat();
  const recipients = recipientsFor(deps.config, targets, nowMs, overrides);
  const deliveries = deliveriesFor(deps.config, recipients);
  // One rendering per recipient: each person's links carry them (a person's email and SMS share it).
  const pages = new Map<string | undefined, RenderedPage>();
  const pageFor = (d: Delivery): RenderedPage => {
    const who = linkRecipient(d);
    if (!pages.has(who)) pages.set(who, renderPage(deps, incident, step.level, step.round, nowMs, who));
    return pages.get(who)!;
  };

  const events: TimelineEvent[] = [{
    incidentId: incident.id, at: nowIso, type: 'page', actor: 'pipeline',
    message: `Level ${step.level + 1}${state.plan.repeat > 0 ? ` (round ${step.round + 1} of ${state.plan.repeat + 1})` : ''} of policy ${state.plan.policy}: paging ${recipients.map(describeRecipient).join(', ') || 'nobody'}`,
    data: { step: state.step, level: step.level, round: step.round, recipients, deliveries: deliveries.length },
  }];
  if (deliveries.length === 0) {
    events.push({ incidentId: incident.id, at: nowIso, type: 'notification', actor: 'pipeline', message: 'No delivery: none of the paged targets has a contact or channel', data: { outcome: 'none' } });
  }
  const ctx: StepContext = { step: state.step, policy: state.plan.policy, latest: incident };
  const results = await Promise.all(deliveries.map((d) => deliver(deps, ctx, d, pageFor(d))));
  // Every re-read found the step paged by another run of it (a carried incident older than the head): as above.
  if (results.length > 0 && results.every((r) => r.cancelled === 'paged')) return alreadyPaged();
  events.push(...results.flatMap((r) => r.events));
  await deps.store.appendTimeline(events);
  deps.metrics?.add(pageMetrics(incident, state.step, events, deps.clock.now().getTime()));
  await recordStep(deps, ctx.latest, state.step);
  // Acknowledged or resolved while this step was paging: the escalation ends here.
  if (results.some((r) => r.cancelled === 'settled')) return finish();
  return { ...state, step: state.step + 1, waitSeconds: step.waitSeconds, done: false };
}

/**
 * Records the step paged on the incident, apart from its document (no version check: the processor counting alerts
 * on the same head meanwhile costs no conflict and no re-read). A page also proves the escalation started (the
 * escalator starts an execution before it pages inline), so a `pending` escalation reads `started` from then on,
 * and the processor's confirmation that follows finds nothing left to write.
 */
async function recordStep(deps: EscalationDeps, incident: Incident, step: number): Promise<void> {
  if (incident.escalationStep >= step && incident.escalation !== 'pending') return;
  await deps.store.recordPagedStep(incident.id, step);
}
