/**
 * DynamoDB PostmortemStore, in the incident table: `PM#<incident id>` / `P`, the document raw-deflated in the
 * binary attribute `z` (a postmortem carries its drafted timeline), `version` plain for the write condition, and the
 * list's summary plain in `s` (JSON). The item also carries keys of the table's existing indexes, under partitions of
 * its own, so the list is a Query, never a Scan: byTime `POSTMORTEMS`, byStatus `PMSTATUS#<status>`, byService
 * `PMSVC#<service>`, each sorted by the incident's openedAt. Single-item conditional puts only, so it runs on the
 * embedded DynamoDB too.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ApplyResult, PostmortemPage, PostmortemQuery, PostmortemStore } from '../../core/ports';
import { matchesPostmortemQuery, summaryOf, type Postmortem, type PostmortemSummary } from '../../core/postmortem/model';
import { isConditionFailure } from './errors';
import { listByIndex, type IndexName } from './index-listing';

export const postmortemKey = (incidentId: string) => ({ pk: `PM#${incidentId}`, sk: 'P' });

/** The index keys of a postmortem item: all postmortems, by status, by service; each by the incident's openedAt. */
function indexKeys(pm: Postmortem): Record<string, string> {
  const openedAt = pm.facts.incident.openedAt;
  return {
    g1pk: `PMSTATUS#${pm.status}`, g1sk: openedAt,
    g2pk: `PMSVC#${pm.facts.incident.service}`, g2sk: openedAt,
    g3pk: 'POSTMORTEMS', g3sk: openedAt,
  };
}

export class DynamoPostmortemStore implements PostmortemStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(incidentId: string): Promise<Postmortem | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: postmortemKey(incidentId), ConsistentRead: true }));
    const z = out.Item?.z;
    if (!(z instanceof Uint8Array)) return null;
    return JSON.parse(inflateRawSync(z).toString('utf8')) as Postmortem;
  }

  async put(pm: Postmortem, expectedVersion: number | null): Promise<ApplyResult> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: {
          ...postmortemKey(pm.incidentId), itemKind: 'postmortem', version: pm.version, status: pm.status, ...indexKeys(pm),
          s: JSON.stringify(summaryOf(pm)), z: deflateRawSync(Buffer.from(JSON.stringify(pm), 'utf8')),
        },
        ...(expectedVersion === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
      }));
      return { kind: 'applied' };
    } catch (err) {
      if (isConditionFailure(err)) return { kind: 'conflict', reason: expectedVersion === null ? 'a postmortem exists' : `stored version is not ${expectedVersion}` };
      throw err;
    }
  }

  /** A Query of the index that keys the most selective filter; the others (team, service beside status) in memory. */
  async list(q: PostmortemQuery): Promise<PostmortemPage> {
    const index: IndexName = q.status ? 'byStatus' : q.service ? 'byService' : 'byTime';
    const hashValue = index === 'byStatus' ? `PMSTATUS#${q.status}` : index === 'byService' ? `PMSVC#${q.service}` : 'POSTMORTEMS';
    const inMemory = q.team || (q.status && q.service);
    return listByIndex<PostmortemSummary>({
      doc: this.doc, tableName: this.tableName, index, hashValue, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor,
      pageSize: inMemory ? 100 : Math.min(q.limit + 1, 100),
      projection: ['s'],
      decode: (item) => {
        if (typeof item.s !== 'string') return null;
        const summary = JSON.parse(item.s) as PostmortemSummary;
        return matchesPostmortemQuery(summary, q) ? summary : null;
      },
      isItemKey: (pk, sk) => pk.startsWith('PM#inc-') && sk === 'P',
    });
  }
}
