/** In-memory RollupStore with the DynamoDB adapter's semantics (marker first, then the adds), for unit tests. */
import type { RollupKind, RollupRow, RollupUpdate } from '../../core/insights/rollup';
import type { RollupStore } from '../../core/ports';

export class InMemoryRollupStore implements RollupStore {
  readonly rows = new Map<string, RollupRow>();
  readonly markers = new Set<string>();

  async addResolved(incidentId: string, updates: readonly RollupUpdate[], _atIso?: string): Promise<boolean> {
    if (this.markers.has(incidentId)) return false;
    this.markers.add(incidentId);
    for (const u of updates) {
      const key = `${u.kind}|${u.day}|${u.value}`;
      let row = this.rows.get(key);
      if (row === undefined) this.rows.set(key, (row = { kind: u.kind, day: u.day, value: u.value, values: {} }));
      for (const [k, n] of Object.entries(u.delta)) if (n !== 0) row.values[k] = (row.values[k] ?? 0) + n;
    }
    return true;
  }

  async read(kind: RollupKind, firstDay: string, lastDay: string): Promise<RollupRow[]> {
    return [...this.rows.values()]
      .filter((r) => r.kind === kind && r.day >= firstDay && r.day <= lastDay)
      .sort((a, b) => (a.day + a.value < b.day + b.value ? -1 : 1))
      .map((r) => structuredClone(r));
  }
}
