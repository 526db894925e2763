/**
 * DynamoDB implementation of OperationsStore, in the incident table (item types in table-schema.ts):
 *   SCHED#<schedule>  OVR#<id>        schedule override            (expiresAt = end + 30 days)
 *   MAINT             W#<id>          ad-hoc maintenance window     (expiresAt = end + 30 days)
 *   NONCE#<nonce>     N               used action-link nonce, when and what for (expiresAt = link expiry + 1 day)
 *   RATE#<channel>    <epoch minute>  sends counted in that minute  (expiresAt = +1 day)
 * Single-item conditional writes only, so it runs on the embedded DynamoDB too.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailure } from './errors';
import { queryPrefix } from './query';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AdHocMaintenanceRecord, NonceUse, OperationsStore, ScheduleOverrideRecord } from '../../core/ports';
import { InvariantError } from '../../core/errors';

const DAY = 24 * 3600;
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);


export class DynamoOperationsStore implements OperationsStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async listOverrides(schedule?: string): Promise<ScheduleOverrideRecord[]> {
    if (schedule) return this.queryAll<ScheduleOverrideRecord>(`SCHED#${schedule}`, 'OVR#');
    // All schedules: overrides are few; the byTime-less path scans the per-schedule partitions the caller knows.
    throw new InvariantError('listOverrides needs a schedule name');
  }

  async putOverride(record: ScheduleOverrideRecord): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: { pk: `SCHED#${record.schedule}`, sk: `OVR#${record.id}`, itemKind: 'override', ...record, expiresAt: epochSeconds(record.end) + 30 * DAY },
    }));
  }

  async deleteOverride(schedule: string, id: string): Promise<boolean> {
    return this.deleteIfExists(`SCHED#${schedule}`, `OVR#${id}`);
  }

  async listMaintenance(nowIso: string): Promise<AdHocMaintenanceRecord[]> {
    const all = await this.queryAll<AdHocMaintenanceRecord>('MAINT', 'W#');
    return all.filter((w) => w.end > nowIso);
  }

  async putMaintenance(record: AdHocMaintenanceRecord): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: { pk: 'MAINT', sk: `W#${record.id}`, itemKind: 'maintenance', ...record, expiresAt: epochSeconds(record.end) + 30 * DAY },
    }));
  }

  async deleteMaintenance(id: string): Promise<boolean> {
    return this.deleteIfExists('MAINT', `W#${id}`);
  }

  async consumeNonce(nonce: string, expiresAtIso: string, use?: NonceUse): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: `NONCE#${nonce}`, sk: 'N', itemKind: 'nonce', expiresAt: epochSeconds(expiresAtIso) + DAY, ...(use ? { usedAt: use.at, action: use.action } : {}) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async usedNonce(nonce: string): Promise<{ use: NonceUse | null } | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `NONCE#${nonce}`, sk: 'N' }, ConsistentRead: true }));
    if (!out.Item) return null;
    const { usedAt, action } = out.Item;
    return { use: typeof usedAt === 'string' && typeof action === 'string' ? { at: usedAt, action } : null };
  }

  async reserveSend(channel: string, minute: number, max: number): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `RATE#${channel}`, sk: String(minute) },
        UpdateExpression: 'ADD sends :one SET expiresAt = :exp, itemKind = :kind',
        ConditionExpression: 'attribute_not_exists(sends) OR sends < :max',
        ExpressionAttributeValues: { ':one': 1, ':max': max, ':exp': minute * 60 + DAY, ':kind': 'rate' },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  private async queryAll<T>(pk: string, prefix: string): Promise<T[]> {
    return (await queryPrefix(this.doc, this.tableName, pk, prefix)).map((item) => {
      const { pk: _pk, sk: _sk, itemKind: _k, expiresAt: _e, ...rest } = item;
      return rest as T;
    });
  }

  private async deleteIfExists(pk: string, sk: string): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk, sk }, ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
