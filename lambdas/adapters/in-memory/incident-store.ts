/**
 * In-memory IncidentStore with the same semantics as the DynamoDB one (version checks, create-if-absent,
 * filters, cursors): for unit tests of the core, and for fault injection (a wrapper can throttle or fail calls).
 * Not used by the local runtime, which runs the DynamoDB adapter on the embedded store.
 */
import { BadRequestError } from '../../core/errors';
import type { IncidentPlan } from '../../core/deduplicate';
import type { Fingerprint } from '../../core/fingerprint';
import type { AlertRecord, Incident, TimelineEvent } from '../../core/model/incident';
import type { ApplyResult, IncidentPage, IncidentQuery, IncidentStore } from '../../core/ports';
import { withPagedStep } from '../../core/escalation/paged-step';

export class InMemoryIncidentStore implements IncidentStore {
  readonly incidents = new Map<string, Incident>();
  readonly timelines = new Map<string, TimelineEvent[]>();
  readonly alertLogs = new Map<string, AlertRecord[]>();
  readonly doneMessages = new Set<string>();
  /** Paged steps recorded apart from the incidents' documents (recordPagedStep), merged into every read. */
  readonly pagedSteps = new Map<string, number>();

  /** A copy of a stored incident as reads return it: with its recorded paged step merged in. */
  private view(i: Incident): Incident {
    return withPagedStep(structuredClone(i), this.pagedSteps.get(i.id));
  }

  async recentForFingerprint(fp: Fingerprint, limit: number): Promise<Incident[]> {
    return [...this.incidents.values()]
      .filter((i) => i.fingerprint === fp)
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .map((i) => this.view(i));
  }

  async latestForFingerprints(fps: readonly Fingerprint[], limit: number): Promise<Map<Fingerprint, Incident[]>> {
    return new Map(await Promise.all(fps.map(async (fp) => [fp, await this.recentForFingerprint(fp, limit)] as const)));
  }

  async recordPagedStep(incidentId: string, step: number): Promise<void> {
    const inc = this.incidents.get(incidentId);
    if (!inc || step <= (this.pagedSteps.get(incidentId) ?? -1)) return;
    this.pagedSteps.set(incidentId, step);
  }

  async applyPlan(plan: IncidentPlan): Promise<ApplyResult> {
    // Markers leaving the heads' rings before the heads (as the DynamoDB store does).
    for (const [key] of plan.markers ?? []) this.doneMessages.add(key);
    if (plan.update) {
      const res = await this.replaceIncident(plan.update.before, plan.update.after);
      if (res.kind === 'conflict') return res;
    }
    for (const inc of plan.creates) {
      if (this.incidents.has(inc.id)) return { kind: 'conflict', reason: `incident ${inc.id} was created concurrently` };
      this.incidents.set(inc.id, structuredClone(inc));
    }
    await this.appendTimeline(plan.timeline);
    for (const rec of plan.alertLog) {
      const list = this.alertLogs.get(rec.incidentId) ?? [];
      if (!list.some((r) => r.deliveryKey === rec.deliveryKey)) list.push(structuredClone(rec));
      this.alertLogs.set(rec.incidentId, list);
    }
    return { kind: 'applied' };
  }

  async replaceIncident(before: Incident, after: Incident): Promise<ApplyResult> {
    const current = this.incidents.get(before.id);
    if (!current || current.version !== before.version) return { kind: 'conflict', reason: `incident ${before.id} changed since version ${before.version}` };
    this.incidents.set(after.id, structuredClone(after));
    return { kind: 'applied' };
  }

  async getIncident(id: string): Promise<Incident | null> {
    const inc = this.incidents.get(id);
    return inc ? this.view(inc) : null;
  }

  async listIncidents(q: IncidentQuery): Promise<IncidentPage> {
    const sortKey = (i: Incident) => `${i.openedAt}#${i.id}`;
    let after: string | null = null;
    if (q.cursor) {
      after = Buffer.from(q.cursor, 'base64url').toString('utf8');
      if (!after.includes('#')) throw new BadRequestError('cursor is not a cursor this API returned', { field: 'cursor' });
    }
    const all = [...this.incidents.values()]
      .filter((i) => (!q.status || i.status === q.status) && (!q.service || i.route.service === q.service))
      .filter((i) => !q.severity || i.severity === q.severity)
      .filter((i) => (!q.team || i.route.team === q.team) && (!q.source || i.source === q.source))
      .filter((i) => !q.tag || (i.tags[q.tag.key] !== undefined && (q.tag.value === null || i.tags[q.tag.key] === q.tag.value)))
      .filter((i) => (!q.from || i.openedAt >= q.from) && (!q.to || i.openedAt <= `${q.to}~`))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
      .filter((i) => after === null || sortKey(i) < after);
    const items = all.slice(0, q.limit).map((i) => this.view(i));
    const cursor = all.length > q.limit ? Buffer.from(sortKey(items[items.length - 1]!), 'utf8').toString('base64url') : null;
    return { items, cursor };
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    return structuredClone(this.timelines.get(id) ?? []).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async alerts(id: string): Promise<AlertRecord[]> {
    return structuredClone(this.alertLogs.get(id) ?? []).sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1));
  }

  async appendTimeline(events: readonly TimelineEvent[]): Promise<void> {
    for (const ev of events) {
      const list = this.timelines.get(ev.incidentId) ?? [];
      list.push(structuredClone(ev));
      this.timelines.set(ev.incidentId, list);
    }
  }

  async isMessageDone(messageKey: string): Promise<boolean> {
    return this.doneMessages.has(messageKey);
  }

  async markMessagesDone(messageKeys: readonly string[]): Promise<void> {
    for (const k of messageKeys) this.doneMessages.add(k);
  }
}
