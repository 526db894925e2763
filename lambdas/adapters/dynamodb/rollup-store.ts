/**
 * DynamoDB RollupStore, in the incident table (docs/insights.md §Rollups):
 *   RU#<kind>#<YYYY-MM>  <YYYY-MM-DD>#<value>   one rollup item per day and dimension value; numeric attributes
 *                                               (`incidents`, `mtta.sum`, `mtta.h37`, ...) that every update ADDs to
 *   RU#I#<incident id>   R                      the marker that the incident was rolled up (expiresAt +90 days)
 * A month per partition, so a 92-day dashboard reads a dimension with 4 queries. Single-item writes only (no
 * transactions: the embedded DynamoDB lacks them): the marker is written first, so a second call for the same
 * incident adds nothing; a crash between the marker and the adds leaves that incident out (at most once).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RollupKind, RollupRow, RollupUpdate, RollupValues } from '../../core/insights/rollup';
import type { RollupStore } from '../../core/ports';
import { isConditionFailure } from './errors';

const MARKER_DAYS = 90;
const monthsBetween = (firstDay: string, lastDay: string): string[] => {
  const out: string[] = [];
  let [y, m] = firstDay.slice(0, 7).split('-').map(Number) as [number, number];
  const last = lastDay.slice(0, 7);
  for (let ym = firstDay.slice(0, 7); ym <= last; ym = `${y}-${String(m).padStart(2, '0')}`) {
    out.push(ym);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
  return out;
};

export const rollupKey = (kind: RollupKind, day: string, value: string) => ({ pk: `RU#${kind}#${day.slice(0, 7)}`, sk: `${day}#${value}` });

/** Attributes of a rollup item that are not values. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'itemKind', 'kind', 'day', 'value']);

export class DynamoRollupStore implements RollupStore {
  private readonly doc: DynamoDBDocumentClient;
  /** DynamoDB calls made (reads and writes), for the bench. */
  calls = 0;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async addResolved(incidentId: string, updates: readonly RollupUpdate[], atIso: string): Promise<boolean> {
    try {
      this.calls++;
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: `RU#I#${incidentId}`, sk: 'R', itemKind: 'rollup-marker', at: atIso, expiresAt: Math.floor(Date.parse(atIso) / 1000) + MARKER_DAYS * 86_400 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
    await Promise.all(updates.map((u) => this.add(u)));
    return true;
  }

  private async add(u: RollupUpdate): Promise<void> {
    const entries = Object.entries(u.delta).filter(([, n]) => n !== 0);
    const names: Record<string, string> = { '#kind': 'kind', '#day': 'day', '#value': 'value', '#ik': 'itemKind' };
    const values: Record<string, unknown> = { ':kind': u.kind, ':day': u.day, ':value': u.value, ':ik': 'rollup' };
    const adds = entries.map(([k, n], i) => {
      names[`#a${i}`] = k;
      values[`:a${i}`] = n;
      return `#a${i} :a${i}`;
    });
    this.calls++;
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: rollupKey(u.kind, u.day, u.value),
      UpdateExpression: `SET #kind = :kind, #day = :day, #value = :value, #ik = :ik${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }

  async read(kind: RollupKind, firstDay: string, lastDay: string): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    for (const month of monthsBetween(firstDay, lastDay)) {
      let start: Record<string, unknown> | undefined;
      do {
        this.calls++;
        const page = await this.doc.send(new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': `RU#${kind}#${month}`, ':a': `${firstDay}#`, ':b': `${lastDay}#\uffff` },
          ExclusiveStartKey: start,
        }));
        for (const item of page.Items ?? []) {
          const values: RollupValues = {};
          for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(k) && typeof v === 'number') values[k] = v;
          rows.push({ kind, day: String(item.day), value: String(item.value), values });
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return rows;
  }
}
