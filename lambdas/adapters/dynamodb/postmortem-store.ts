/**
 * DynamoDB PostmortemStore, in the incident table: `PM#<incident id>` / `P`, the document raw-deflated in the
 * binary attribute `z` (a postmortem carries its drafted timeline), `version` plain for the write condition.
 * Single-item conditional puts only, so it runs on the embedded DynamoDB too.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ApplyResult, PostmortemStore } from '../../core/ports';
import type { Postmortem } from '../../core/postmortem/model';
import { isConditionFailure } from './errors';

export const postmortemKey = (incidentId: string) => ({ pk: `PM#${incidentId}`, sk: 'P' });

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
        Item: { ...postmortemKey(pm.incidentId), itemKind: 'postmortem', version: pm.version, status: pm.status, z: deflateRawSync(Buffer.from(JSON.stringify(pm), 'utf8')) },
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
}
