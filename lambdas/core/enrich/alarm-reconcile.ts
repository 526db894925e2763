/**
 * The sweeper's reconciliation of CloudWatch incidents with CloudWatch: an open incident whose alarm is back in OK
 * although its OK message never arrived (an SNS delivery lost, a subscription removed, an OK action not configured)
 * resolves, with a timeline entry saying why. Guarded so it never resolves the wrong thing:
 * - only incidents of one alarm (the fingerprint is the one of `cw:<the ARN CloudWatch answered>`, so an incident
 *   a dedup rule built from several alarms, or an alarm of another account with the same name, is left alone);
 * - only when the alarm entered OK after the incident's newest state change (a flap ALARM -> OK -> ALARM, or an OK
 *   read before the ALARM was applied, resolves nothing);
 * - only incidents quiet for `afterMinutes` (the OK message gets its chance first), at most `maxPerSweep` a sweep.
 * Incidents a maintenance window holds count too (the sweeper reconciles before it ends windows): a lost OK must not
 * page them when the window ends.
 */
import { fingerprintOf } from '../fingerprint';
import { resolveIncident, type Transition } from '../lifecycle';
import type { Incident } from '../model/incident';
import { alarmOfConsoleUrl } from '../normalize/cloudwatch';
import type { AlarmRef, AlarmStateReading } from '../ports';

export interface ReconcileOptions {
  afterMinutes: number;
  maxPerSweep: number;
}

export interface ReconcileCandidate {
  incident: Incident;
  alarm: AlarmRef;
}

/** The newest state change applied to the incident (source time): what an OK must be newer than. */
function newestStateAt(inc: Incident): string {
  return inc.lastStateChangeAt ?? inc.lastAlert.occurredAt;
}

/**
 * Whether an incident can still page or is paging: open ones, and those a maintenance window holds (they page when
 * the window ends if still firing, so a lost OK would page them then).
 */
function stillFiring(inc: Incident): boolean {
  return inc.status === 'triggered' || inc.status === 'acknowledged' || (inc.status === 'suppressed' && inc.suppressedUntil !== null);
}

/** CloudWatch incidents still firing and quiet for `afterMinutes`, oldest state first, at most `maxPerSweep`. */
export function reconcileCandidates(open: readonly Incident[], nowMs: number, options: ReconcileOptions): ReconcileCandidate[] {
  const quietBefore = nowMs - options.afterMinutes * 60_000;
  const out: ReconcileCandidate[] = [];
  for (const inc of open) {
    if (inc.source !== 'cloudwatch' || !stillFiring(inc)) continue;
    const alarm = inc.alertUrl ? alarmOfConsoleUrl(inc.alertUrl) : null;
    const lastReceived = Math.max(Date.parse(inc.lastAlert.receivedAt), Date.parse(newestStateAt(inc)));
    if (alarm === null || !(lastReceived <= quietBefore)) continue;
    out.push({ incident: inc, alarm });
  }
  out.sort((a, b) => (newestStateAt(a.incident) < newestStateAt(b.incident) ? -1 : 1));
  return out.slice(0, options.maxPerSweep);
}

/** The resolves that the readings justify (pure). */
export function reconcileTransitions(candidates: readonly ReconcileCandidate[], readings: readonly AlarmStateReading[], now: string): Transition[] {
  const byAlarm = new Map(readings.map((r) => [`${r.region}\n${r.name}`, r]));
  const out: Transition[] = [];
  for (const { incident: inc, alarm } of candidates) {
    const r = byAlarm.get(`${alarm.region}\n${alarm.name}`);
    if (!r || r.state !== 'OK') continue;
    if (fingerprintOf(`cw:${r.arn}`) !== inc.fingerprint) continue;
    if (!(r.stateUpdatedAt > newestStateAt(inc))) continue;
    const t = resolveIncident(inc, 'pipeline:reconcile', now);
    t.after.lastStateChangeAt = r.stateUpdatedAt;
    t.events = [{
      incidentId: inc.id, at: now, type: 'resolved', actor: 'pipeline:reconcile',
      message: `Resolved: CloudWatch says alarm ${r.name} has been OK since ${r.stateUpdatedAt} (DescribeAlarms), but its OK message never arrived`,
      data: { alarmArn: r.arn, state: r.state, stateUpdatedAt: r.stateUpdatedAt },
    }];
    out.push(t);
  }
  return out;
}
