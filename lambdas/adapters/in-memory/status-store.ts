/** In-memory StatusStore with the DynamoDB adapter's semantics, for unit tests. */
import type { StatusStore } from '../../core/ports';
import type { StatusChange, StatusIncident, StatusOverride } from '../../core/status/model';

export class InMemoryStatusStore implements StatusStore {
  readonly overrides = new Map<string, StatusOverride>();
  readonly incidents = new Map<string, StatusIncident>();
  readonly current = new Map<string, StatusChange>();
  readonly history: StatusChange[] = [];

  async listStatusOverrides(nowIso: string) {
    return [...this.overrides.values()].filter((o) => o.end > nowIso).map((o) => ({ ...o }));
  }
  async putStatusOverride(record: StatusOverride) {
    this.overrides.set(record.id, { ...record });
  }
  async deleteStatusOverride(id: string) {
    return this.overrides.delete(id);
  }
  async listStatusIncidents(sinceIso: string) {
    return [...this.incidents.values()]
      .filter((i) => i.createdAt >= sinceIso || i.resolvedAt === null)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map((i) => structuredClone(i));
  }
  async getStatusIncident(id: string) {
    const i = this.incidents.get(id);
    return i ? structuredClone(i) : null;
  }
  async putStatusIncident(record: StatusIncident) {
    this.incidents.set(record.id, structuredClone(record));
  }
  async currentStatuses() {
    return [...this.current.values()].sort((a, b) => a.service.localeCompare(b.service)).map((c) => ({ ...c }));
  }
  async recordStatusChanges(changes: readonly StatusChange[]) {
    for (const c of changes) {
      this.current.set(c.service, { ...c });
      this.history.push({ ...c });
    }
  }
  async statusHistory(service: string, sinceIso: string) {
    const mine = this.history.filter((c) => c.service === service).sort((a, b) => a.at.localeCompare(b.at));
    const before = mine.filter((c) => c.at < sinceIso).pop();
    return [...(before ? [before] : []), ...mine.filter((c) => c.at >= sinceIso)].map((c) => ({ ...c }));
  }
}
