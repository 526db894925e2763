/**
 * DynamoDB implementation of StatusStore, in the incident table (item types in docs/architecture.md):
 *   STATUS#OVR              O#<id>           status override                     (expiresAt = end + 30 days)
 *   STATUS#INC              I#<id>           status incident with its updates    (expiresAt = resolvedAt + 400 days)
 *   STATUS#CUR              C#<service>      last recorded status of a service   (no expiry)
 *   STATUS#H#<service>      H#<at>           one recorded status change          (expiresAt = at + 400 days)
 * Single-item writes only, so it runs on the embedded DynamoDB too. Status incidents are few (a page shows the
 * open ones and those of the last days): listing reads the whole partition.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './errors';
import { queryPrefix } from './query';
import type { StatusStore } from '../../core/ports';
import type { StatusChange, StatusIncident, StatusOverride } from '../../core/status/model';

const DAY = 24 * 3600;
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const strip = (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, itemKind: _k, expiresAt: _e, ...rest } = item;
  return rest;
};

export class DynamoStatusStore implements StatusStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async listStatusOverrides(nowIso: string): Promise<StatusOverride[]> {
    const all = (await queryPrefix(this.doc, this.tableName, 'STATUS#OVR', 'O#')).map((i) => strip(i) as unknown as StatusOverride);
    return all.filter((o) => o.end > nowIso);
  }

  async putStatusOverride(record: StatusOverride): Promise<void> {
    await this.put({ pk: 'STATUS#OVR', sk: `O#${record.id}`, itemKind: 'status-override', ...record, expiresAt: epochSeconds(record.end) + 30 * DAY });
  }

  async deleteStatusOverride(id: string): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'STATUS#OVR', sk: `O#${id}` }, ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async listStatusIncidents(sinceIso: string): Promise<StatusIncident[]> {
    const all = (await queryPrefix(this.doc, this.tableName, 'STATUS#INC', 'I#')).map((i) => strip(i) as unknown as StatusIncident);
    return all
      .filter((i) => i.createdAt >= sinceIso || i.resolvedAt === null)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async getStatusIncident(id: string): Promise<StatusIncident | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'STATUS#INC', sk: `I#${id}` }, ConsistentRead: true }));
    return out.Item ? (strip(out.Item) as unknown as StatusIncident) : null;
  }

  async putStatusIncident(record: StatusIncident): Promise<void> {
    await this.put({
      pk: 'STATUS#INC', sk: `I#${record.id}`, itemKind: 'status-incident', ...record,
      ...(record.resolvedAt ? { expiresAt: epochSeconds(record.resolvedAt) + 400 * DAY } : {}),
    });
  }

  async currentStatuses(): Promise<StatusChange[]> {
    return (await queryPrefix(this.doc, this.tableName, 'STATUS#CUR', 'C#')).map((i) => strip(i) as unknown as StatusChange);
  }

  async recordStatusChanges(changes: readonly StatusChange[]): Promise<void> {
    for (const c of changes) {
      // History first: a crash between the two writes re-detects the change and writes the same history item again.
      await this.put({ pk: `STATUS#H#${c.service}`, sk: `H#${c.at}`, itemKind: 'status-change', ...c, expiresAt: epochSeconds(c.at) + 400 * DAY });
      await this.put({ pk: 'STATUS#CUR', sk: `C#${c.service}`, itemKind: 'status-current', ...c });
    }
  }

  async statusHistory(service: string, sinceIso: string): Promise<StatusChange[]> {
    const pk = `STATUS#H#${service}`;
    const before = await this.doc.send(new QueryCommand({
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND sk < :s',
      ExpressionAttributeValues: { ':pk': pk, ':s': `H#${sinceIso}` }, ScanIndexForward: false, Limit: 1,
    }));
    const out: StatusChange[] = (before.Items ?? []).map((i) => strip(i) as unknown as StatusChange);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({
        TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND sk >= :s',
        ExpressionAttributeValues: { ':pk': pk, ':s': `H#${sinceIso}` }, ExclusiveStartKey: start,
      }));
      out.push(...(page.Items ?? []).map((i) => strip(i) as unknown as StatusChange));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }
}
