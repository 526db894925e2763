/**
 * A filtered, paginated listing over one of the table's KEYS_ONLY indexes (incidents, postmortems): query the index
 * newest first within an optional from/to range on its sort key, read the items of each index page with one
 * BatchGetItem, keep those that still carry that index key and pass the caller's filter, until `limit` + 1 match
 * (so the cursor says honestly whether another match exists) or the read budget is spent.
 *
 * Cursor semantics: null when no further item matches; otherwise the index and table key to continue after. When
 * the budget (`maxRounds` index pages) runs out first, the page holds what matched so far (possibly nothing) and the
 * cursor points where the read stopped.
 */
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../core/errors';

type Item = Record<string, unknown>;

export const INDEX_KEYS = {
  byStatus: ['g1pk', 'g1sk'],
  byService: ['g2pk', 'g2sk'],
  byTime: ['g3pk', 'g3sk'],
} as const;
export type IndexName = keyof typeof INDEX_KEYS;

export interface IndexListing<T> {
  doc: DynamoDBDocumentClient;
  tableName: string;
  index: IndexName;
  hashValue: string;
  /** ISO bounds on the index sort key (inclusive; `to` covers every time that starts with it). */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  /** The items' attributes to read (the keys and index keys are added). */
  projection?: string[];
  /** The item as the caller's type, or null when it does not pass the caller's filters. */
  decode(item: Item): T | null;
  /** Is this a table key of the listed kind (pk, sk)? Checks a cursor. */
  isItemKey(pk: string, sk: string): boolean;
  /** Index entries read per round: more when most entries may not pass the filters. */
  pageSize: number;
  maxRounds?: number;
}

/** One index page of partition `hash` (newest first, within from/to) with its items, each index entry paired with
 *  its item when that item still carries that index key. A GSI is eventually consistent (an item whose status just
 *  changed can still be listed under its old status), and the embedded store writes index entries before the item,
 *  so a kill -9 between the two leaves an entry whose item was never written (or was written later, under another
 *  key): both are stale (`item` undefined) and would list an item twice or out of place. Each item is paired once. */
async function readIndexPage(o: Omit<IndexListing<unknown>, 'hashValue' | 'decode' | 'isItemKey' | 'limit' | 'cursor'>, hash: string, startKey: Item | undefined): Promise<{ entries: Array<{ key: Item; item: Item | undefined }>; next: Item | undefined }> {
  const [hashAttr, rangeAttr] = INDEX_KEYS[o.index];
  const values: Record<string, unknown> = { ':h': hash };
  let range = '';
  if (o.from && o.to) range = ` AND ${rangeAttr} BETWEEN :from AND :to`;
  else if (o.from) range = ` AND ${rangeAttr} >= :from`;
  else if (o.to) range = ` AND ${rangeAttr} <= :to`;
  if (o.from) values[':from'] = o.from;
  if (o.to) values[':to'] = `${o.to}~`;
  const page = await o.doc.send(new QueryCommand({
    TableName: o.tableName,
    IndexName: o.index,
    KeyConditionExpression: `${hashAttr} = :h${range}`,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    Limit: o.pageSize,
    ExclusiveStartKey: startKey,
  }));
  const raw = page.Items ?? [];
  const found = await batchGetItems(o.doc, o.tableName, raw.map((k) => ({ pk: k.pk, sk: k.sk })), o.projection && ['pk', 'sk', hashAttr, rangeAttr, ...o.projection]);
  const entries = raw.map((e) => {
    const id = `${e.pk}|${e.sk}`;
    const item = found.get(id);
    const current = item !== undefined && item[hashAttr] === e[hashAttr] && item[rangeAttr] === e[rangeAttr] && found.delete(id);
    return { key: { pk: e.pk, sk: e.sk, [hashAttr]: e[hashAttr], [rangeAttr]: e[rangeAttr] } as Item, item: current ? item : undefined };
  });
  return { entries, next: page.LastEvaluatedKey };
}

export async function listByIndex<T>(o: IndexListing<T>): Promise<{ items: T[]; cursor: string | null }> {
  let startKey: Item | undefined = o.cursor ? decodeCursor(o.cursor, o) : undefined;
  const matches: Array<{ value: T; key: Item }> = [];
  for (let round = 0; round < (o.maxRounds ?? 20); round++) {
    const page = await readIndexPage(o, o.hashValue, startKey);
    for (const { key, item } of page.entries) {
      const value = item === undefined ? null : o.decode(item);
      if (value === null) continue;
      if (matches.length === o.limit) return { items: matches.map((m) => m.value), cursor: encodeCursor(matches[matches.length - 1]!.key) };
      matches.push({ value, key });
    }
    if (!page.next) return { items: matches.map((m) => m.value), cursor: null };
    startKey = page.next;
  }
  return { items: matches.map((m) => m.value), cursor: encodeCursor(startKey!) };
}

/**
 * The same listing over several partitions of one index, merged newest first (the unfiltered incident list over
 * the four `byStatus` partitions: incident heads write no entry of an index of all incidents, which would cost a write
 * unit per new incident). Each step takes the newest unconsumed entry of all partitions (refilling a partition's
 * buffer with its next index page when it runs empty). Same `limit` + 1 rule and budget as `listByIndex`.
 *
 * Cursor: per partition, the index and table key of the last entry consumed, or `done`; a partition not in it
 * starts from its newest entry. An item whose index key changes while a client pages (an incident resolved) can
 * show up again under its new partition or be passed over, as with a single partition.
 */
export async function listMerged<T>(o: Omit<IndexListing<T>, 'hashValue'> & { hashValues: readonly string[] }): Promise<{ items: T[]; cursor: string | null }> {
  const rangeAttr = INDEX_KEYS[o.index][1];
  const positions = o.cursor ? decodeMergedCursor(o.cursor, o) : new Map<string, Item | 'done'>();
  interface Part { hash: string; after: Item | undefined; buffer: Array<{ key: Item; value: T | null }>; exhausted: boolean }
  const parts: Part[] = o.hashValues.map((hash) => {
    const at = positions.get(hash);
    return { hash, after: at === 'done' ? undefined : at, buffer: [], exhausted: at === 'done' };
  });
  const position = (): Item => {
    const key: Item = {};
    for (const p of parts) {
      if (p.exhausted && p.buffer.length === 0) key[p.hash] = 'done';
      else if (p.after) key[p.hash] = p.after;
    }
    return key;
  };
  const read = async (p: Part): Promise<void> => {
    const page = await readIndexPage(o, p.hash, p.after);
    p.buffer = page.entries.map(({ key, item }) => ({ key, value: item === undefined ? null : o.decode(item) }));
    p.exhausted = !page.next;
    if (page.entries.length === 0 && page.next) p.after = page.next;
  };
  const matches: T[] = [];
  let atLimit: Item | null = null;
  for (let rounds = 0; ;) {
    for (const p of parts) {
      if (p.buffer.length > 0 || p.exhausted) continue;
      if (rounds++ >= (o.maxRounds ?? 20)) return { items: matches, cursor: encodeCursor(atLimit ?? position()) };
      await read(p);
    }
    const live = parts.filter((p) => p.buffer.length > 0);
    if (live.length === 0) return { items: matches, cursor: null };
    const next = live.reduce((a, b) => (String(b.buffer[0]!.key[rangeAttr]) > String(a.buffer[0]!.key[rangeAttr]) ? b : a));
    const { key, value } = next.buffer.shift()!;
    if (value !== null && matches.length === o.limit) return { items: matches, cursor: encodeCursor(atLimit!) };
    next.after = key;
    if (value === null) continue;
    matches.push(value);
    if (matches.length === o.limit) atLimit = position();
  }
}

/** The items under `keys` (duplicates asked once), by `pk|sk`; missing items are absent from the map. */
export async function batchGetItems(doc: DynamoDBDocumentClient, tableName: string, keys: Array<{ pk: unknown; sk: unknown }>, projection?: string[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
  const names = projection ? Object.fromEntries([...new Set(projection)].map((n) => [`#${n}`, n])) : undefined;
  const shape = names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {};
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Item[] }> | undefined = { [tableName]: { Keys: unique.slice(i, i + 100), ...shape } };
    for (let attempt = 0; request && Object.keys(request).length > 0 && attempt < 8; attempt++) {
      const out = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      request = out.UnprocessedKeys as typeof request;
      if (request && Object.keys(request).length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
  return found;
}

function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * A cursor this API returned for this query: exactly the table key and the index key of one listed item, the index
 * partition of the query, the index sort key inside the query's from/to range. Anything else (forged, edited, from
 * another query) is a 400 naming `cursor`, never a store error.
 */
const badCursor = (why: string) => new BadRequestError(`cursor is not a cursor this API returned for this query (${why})`, { field: 'cursor' });
const isObject = (v: unknown): v is Item => !!v && typeof v === 'object' && !Array.isArray(v);

/** The object a cursor encodes (encodeCursor), or a 400 naming `cursor`. */
function cursorObject(cursor: string): Item {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('not an encoded key');
  }
  if (!isObject(value)) throw badCursor('not an encoded key');
  return value;
}

function decodeCursor(cursor: string, o: IndexListing<unknown>): Item {
  return listingKey(cursorObject(cursor), o, o.hashValue);
}

/** A merged listing's cursor (listMerged): per partition of the query, a key of that partition or `done`. */
function decodeMergedCursor(cursor: string, o: Omit<IndexListing<unknown>, 'hashValue'> & { hashValues: readonly string[] }): Map<string, Item | 'done'> {
  const value = cursorObject(cursor);
  const names = Object.keys(value);
  if (names.length === 0 || names.some((n) => !o.hashValues.includes(n))) throw badCursor('unexpected attributes');
  const positions = new Map<string, Item | 'done'>();
  for (const hash of names) {
    const at = value[hash];
    if (at === 'done') positions.set(hash, 'done');
    else if (isObject(at)) positions.set(hash, listingKey(at, o, hash));
    else throw badCursor('not an encoded key');
  }
  return positions;
}

/** An index and table key of one listed item in partition `hashValue`, inside the query's from/to range. */
function listingKey(key: Item, o: Pick<IndexListing<unknown>, 'index' | 'from' | 'to' | 'isItemKey'>, hashValue: string): Item {
  const [h, r] = INDEX_KEYS[o.index];
  const names = Object.keys(key).sort();
  const expected = ['pk', 'sk', h, r].sort();
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) throw badCursor('unexpected attributes');
  if (!Object.values(key).every((v) => typeof v === 'string' && v.length <= 256)) throw badCursor('attributes must be short strings');
  if (!o.isItemKey(key.pk as string, key.sk as string)) throw badCursor('not a key of this listing');
  if (key[h] !== hashValue) throw badCursor('another listing');
  const sortKey = key[r] as string;
  if (Number.isNaN(Date.parse(sortKey))) throw badCursor('not a key of this listing');
  if ((o.from && sortKey < o.from) || (o.to && sortKey > `${o.to}~`)) throw badCursor('outside from/to');
  return key;
}
