/** In-memory OperationsStore with the DynamoDB adapter's semantics, for unit tests. */
import type { AdHocMaintenanceRecord, NonceUse, OperationsStore, ScheduleOverrideRecord } from '../../core/ports';
import { InvariantError } from '../../core/errors';

export class InMemoryOperationsStore implements OperationsStore {
  readonly overrides = new Map<string, ScheduleOverrideRecord>();
  readonly maintenance = new Map<string, AdHocMaintenanceRecord>();
  readonly nonces = new Map<string, NonceUse | null>();
  readonly sends = new Map<string, number>();

  async listOverrides(schedule?: string) {
    if (!schedule) throw new InvariantError('listOverrides needs a schedule name');
    return [...this.overrides.values()].filter((o) => o.schedule === schedule).map((o) => ({ ...o }));
  }
  async putOverride(record: ScheduleOverrideRecord) {
    this.overrides.set(`${record.schedule}|${record.id}`, { ...record });
  }
  async deleteOverride(schedule: string, id: string) {
    return this.overrides.delete(`${schedule}|${id}`);
  }
  async listMaintenance(nowIso: string) {
    return [...this.maintenance.values()].filter((w) => w.end > nowIso).map((w) => ({ ...w }));
  }
  async putMaintenance(record: AdHocMaintenanceRecord) {
    this.maintenance.set(record.id, { ...record });
  }
  async deleteMaintenance(id: string) {
    return this.maintenance.delete(id);
  }
  async consumeNonce(nonce: string, _expiresAtIso: string, use?: NonceUse) {
    if (this.nonces.has(nonce)) return false;
    this.nonces.set(nonce, use ? { ...use } : null);
    return true;
  }
  async usedNonce(nonce: string) {
    if (!this.nonces.has(nonce)) return null;
    const use = this.nonces.get(nonce);
    return { use: use ? { ...use } : null };
  }
  async reserveSend(channel: string, minute: number, max: number) {
    const key = `${channel}|${minute}`;
    const n = this.sends.get(key) ?? 0;
    if (n >= max) return false;
    this.sends.set(key, n + 1);
    return true;
  }
}
