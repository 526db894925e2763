/**
 * A measuring wrapper for the DynamoDB client the stores use: a middleware (initialize step, outside the SDK's
 * retries) that asks every call for `ReturnConsumedCapacity: 'TOTAL'` and adds up what DynamoDB (here dynalite)
 * reports, split into reads and writes. The store's code is not changed; the middleware sits on the client the
 * local runtime hands to the stores (runtime hook `dynamoClient`).
 *
 * What the reported figure leaves out, and how it is added here:
 * - A conditional write whose condition fails still consumes write units (docs/limits-and-prices.md §1), but the error
 *   carries no ConsumedCapacity: counted from the size of the item the call tried to write (at least 1).
 * - Global secondary index writes are billed as write units too, and dynalite reports only the table. Incident heads
 *   and postmortems carry index keys (g1, g2; g3 on postmortems, and on heads written before the unfiltered list
 *   merged the status partitions; keys-only projections), so for a PutItem of such an item the meter
 *   asks for the old item (`ReturnValues: ALL_OLD`, free, removed again before the store sees the answer) and counts
 *   1 unit per index entry written and 1 per index entry deleted (a changed index key is a delete plus a put). The
 *   same for an UpdateItem that sets index keys (`SET #g1pk = :g1pk, ...`: how the store rewrites a head).
 * - A GetItem or Query that finds nothing is billed the minimum read (1 unit consistent, ½ eventual); dynalite
 *   reports 0.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';

type Doc = Record<string, unknown>;

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
/** The incident table's global secondary indexes (hash and range attribute), from its one description. */
const INDEXES = INCIDENT_TABLE.indexes.map((ix) => [ix.partitionKey, ix.sortKey] as const);

/** DynamoDB's item size rules on a document-form value (names + values; numbers ~ digits / 2 + 1). */
export function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number' || typeof v === 'bigint') return Math.ceil(String(v).replace(/[-.]/g, '').length / 2) + 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce((n: number, x) => n + valueSize(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + valueSize(x), 0);
  if (typeof v === 'object') return 3 + itemSize(v as Doc) + Object.keys(v as Doc).length;
  return 1;
}

export function itemSize(item: Doc): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) if (v !== undefined) n += Buffer.byteLength(k, 'utf8') + valueSize(v);
  return n;
}

export interface CapacityTotals {
  readUnits: number;
  writeUnits: number;
  /** Part of writeUnits: index entries written or deleted (not reported by dynalite). */
  indexWriteUnits: number;
  /** Part of writeUnits: conditional writes whose condition failed. */
  failedConditionWriteUnits: number;
  failedConditions: number;
  /**
   * Write units by item kind (itemKind attribute, else the key prefix), estimated per item from its size (the
   * reported total is per call): where the write units go.
   */
  writeUnitsByKind: Record<string, number>;
  /** Items written by kind (puts, batch puts and updates): with writeUnitsByKind, the mean units per item. */
  writesByKind: Record<string, number>;
  /** Bytes written by kind (DynamoDB's item size of every put): with writesByKind, the mean item size. */
  bytesByKind: Record<string, number>;
  /** Calls by command name (logical calls, before SDK retries). */
  calls: Record<string, number>;
  /**
   * Calls, write units and read units made inside a named scope (the `scope` function given to `attach`, e.g. the
   * queue processor's incident store), by scope name: the processor's share of opening an incident, apart from the page.
   */
  byScope: Record<string, { calls: number; writeUnits: number; readUnits: number }>;
}

/**
 * The attributes an UpdateItem sets with `SET #a = :a, ...` (names and values resolved): how the incident store
 * rewrites a head, so its index keys can be compared with the old item's like a PutItem's.
 */
function setValues(input: Doc): Doc | undefined {
  const expr = typeof input.UpdateExpression === 'string' ? input.UpdateExpression : '';
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Doc;
  const out: Doc = {};
  for (const m of expr.matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) out[names[m[1]!] ?? m[1]!] = values[m[2]!];
  return Object.keys(out).length > 0 ? out : undefined;
}

export class CapacityMeter {
  private totals: CapacityTotals = CapacityMeter.empty();

  static empty(): CapacityTotals {
    return { readUnits: 0, writeUnits: 0, indexWriteUnits: 0, failedConditionWriteUnits: 0, failedConditions: 0, writeUnitsByKind: {}, writesByKind: {}, bytesByKind: {}, calls: {}, byScope: {} };
  }

  snapshot(): CapacityTotals {
    return structuredClone(this.totals);
  }

  reset(): void {
    this.totals = CapacityMeter.empty();
  }

  /** Adds the counting middleware to the client (and so to every DynamoDBDocumentClient built from it). */
  attach(client: DynamoDBClient, scope: () => string | undefined = () => undefined): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String((context as { commandName?: string }).commandName ?? 'unknown');
        const name = scope();
        const mine = { w: 0, r: 0 };
        const inScope = () => {
          if (!name) return;
          const s = (this.totals.byScope[name] ??= { calls: 0, writeUnits: 0, readUnits: 0 });
          s.calls += 1;
          s.writeUnits += mine.w;
          s.readUnits += mine.r;
        };
        const original = args.input as Doc;
        const input: Doc = { ...original };
        const counted = READS.has(command) || WRITES.has(command);
        if (counted) input.ReturnConsumedCapacity = 'TOTAL';
        const item = command === 'PutItemCommand' ? (original.Item as Doc | undefined) : command === 'UpdateItemCommand' ? setValues(original) : undefined;
        const askedForOld = !!item && typeof item[INDEXES[0]![0]] === 'string' && original.ReturnValues === undefined;
        if (askedForOld) input.ReturnValues = 'ALL_OLD';
        this.totals.calls[command] = (this.totals.calls[command] ?? 0) + 1;
        if (command === 'PutItemCommand' && item) this.byKind(item);
        if (command === 'UpdateItemCommand') {
          if (item && typeof item.itemKind === 'string') this.byKind({ ...(original.Key as Doc), ...item });
          else this.byKind(null, String((original.Key as Doc | undefined)?.pk ?? 'update'));
        }
        if (command === 'BatchWriteItemCommand') {
          for (const requests of Object.values((original.RequestItems as Record<string, Array<{ PutRequest?: { Item: Doc } }>>) ?? {})) {
            for (const r of requests) if (r.PutRequest) this.byKind(r.PutRequest.Item);
          }
        }
        try {
          const result = await next({ ...args, input });
          const output = result.output as unknown as Doc;
          if (counted) {
            // A read that finds nothing is still billed (1 unit strongly consistent, ½ eventually); the emulator says 0.
            const minimum = (command === 'QueryCommand' || command === 'GetItemCommand') ? (original.ConsistentRead ? 1 : 0.5) : 0;
            const reported = output.ConsumedCapacity as { CapacityUnits?: number } | undefined;
            if (minimum > 0 && !(reported?.CapacityUnits)) output.ConsumedCapacity = { CapacityUnits: minimum };
            const units = this.add(command, output.ConsumedCapacity);
            if (READS.has(command)) mine.r += units;
            else mine.w += units;
          }
          if (askedForOld && item) {
            mine.w += this.addIndexWrites(item, (output.Attributes as Doc | undefined) ?? null, command === 'UpdateItemCommand');
            delete output.Attributes;
          }
          if (counted && original.ReturnConsumedCapacity === undefined) delete output.ConsumedCapacity;
          inScope();
          return result;
        } catch (err) {
          if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
            const units = Math.max(1, Math.ceil((item ? itemSize(item) : 0) / 1024));
            this.totals.writeUnits += units;
            this.totals.failedConditionWriteUnits += units;
            this.totals.failedConditions += 1;
            mine.w += units;
          }
          inScope();
          throw err;
        }
      },
      { step: 'initialize', name: 'benchCapacityMeter', override: true },
    );
  }

  private byKind(item: Doc | null, key = ''): void {
    const kind = item ? String(item.itemKind ?? String(item.pk ?? '').split('#')[0]) : key.split('#')[0] ?? 'update';
    const units = item ? Math.max(1, Math.ceil(itemSize(item) / 1024)) : 1;
    this.totals.writeUnitsByKind[kind || 'other'] = (this.totals.writeUnitsByKind[kind || 'other'] ?? 0) + units;
    this.totals.writesByKind[kind || 'other'] = (this.totals.writesByKind[kind || 'other'] ?? 0) + 1;
    if (item) this.totals.bytesByKind[kind || 'other'] = (this.totals.bytesByKind[kind || 'other'] ?? 0) + itemSize(item);
  }

  private add(command: string, consumed: unknown): number {
    const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    const units = list.reduce((n: number, c: { CapacityUnits?: number }) => n + (c.CapacityUnits ?? 0), 0);
    if (READS.has(command)) this.totals.readUnits += units;
    else this.totals.writeUnits += units;
    return units;
  }

  /** Index entries a write changes; an update (`partial`) leaves the index keys it does not set as they were. */
  private addIndexWrites(next: Doc, old: Doc | null, partial: boolean): number {
    let units = 0;
    for (const [h, r] of INDEXES) {
      if (partial && !(h in next)) continue;
      const before = old && typeof old[h] === 'string' ? `${old[h]}|${old[r]}` : null;
      const after = typeof next[h] === 'string' ? `${next[h]}|${next[r]}` : null;
      if (before === after) continue;
      units += (before ? 1 : 0) + (after ? 1 : 0);
    }
    this.totals.indexWriteUnits += units;
    this.totals.writeUnits += units;
    return units;
  }
}
