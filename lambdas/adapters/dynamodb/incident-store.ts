/**
 * DynamoDB implementation of the IncidentStore port. Works against DynamoDB and the embedded store (dynalite):
 * it uses only single-item conditional writes, queries and batch writes (no transactions, streams or TTL expiry,
 * which the embedded store lacks; docs/toolchain.md §dynalite). Item layout: table-schema.ts and docs/architecture.md.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BODY_DICTIONARY, packBody, unpackBody } from './compact';
import { isConditionFailure } from './errors';
import { queryPrefix } from './query';
import { listByIndex, listMerged, type IndexName } from './index-listing';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvariantError, TransientError } from '../../core/errors';
import type { IncidentPlan } from '../../core/deduplicate';
import type { Fingerprint } from '../../core/fingerprint';
import { sha256Hex, shortFingerprint } from '../../core/fingerprint';
import type { AlertRecord, Incident, TimelineEvent } from '../../core/model/incident';
import { INCIDENT_STATUSES } from '../../core/model/incident';
import type { ApplyResult, IncidentPage, IncidentQuery, IncidentStore } from '../../core/ports';
import { withPagedStep } from '../../core/escalation/paged-step';
import { mapLimit } from '../../core/map-limit';

/** Delivery markers expire (TTL attribute) after this many seconds; SQS keeps messages at most 14 days. */
const MARKER_TTL_SECONDS = 15 * 24 * 3600;
/** Latest-head queries in flight at once for latestForFingerprints (the processor's group concurrency). */
const HEAD_QUERY_CONCURRENCY = 16;

type Item = Record<string, unknown>;

const pad = (seq: number) => String(seq).padStart(8, '0');
const fpKey = (fp: string) => `FP#${fp}`;
const headSk = (seq: number) => `H#${pad(seq)}`;

/** Parses `inc-<fp20>-<seq>` into its table key; null for anything else. */
export function keyOfIncidentId(id: string): { pk: string; sk: string; seq: number } | null {
  const m = /^inc-([0-9a-f]{20})-(\d{1,8})$/.exec(id);
  if (!m) return null;
  const seq = Number(m[2]);
  return { pk: fpKey(m[1]!), sk: headSk(seq), seq };
}

/**
 * The incident head: keys, index keys and `version` (the write condition) plain; the rest of the incident in the
 * compact body `z` (compact.ts). The index sort keys are the opening time alone (GSI keys need not be unique: an
 * index entry also carries the table key).
 */
function incidentItem(inc: Incident): Item {
  return { pk: fpKey(shortFingerprint(inc.fingerprint)), sk: headSk(inc.seq), ...headAttributes(inc) };
}

/** The head's attributes besides its key: what a rewrite of the head sets (the opening events `zt` stay). */
function headAttributes(inc: Incident): Item {
  // No byTime keys (g3pk/g3sk): an index entry per new incident for the unfiltered list alone cost a write unit;
  // that list merges the byStatus partitions (index-listing.ts listMerged).
  const { version, ...doc } = inc;
  return {
    itemKind: 'incident',
    version,
    g1pk: `STATUS#${inc.status}`,
    g1sk: inc.openedAt,
    g2pk: `SVC#${inc.route.service}`,
    g2sk: inc.openedAt,
    z: packBody(BODY_DICTIONARY.incident, doc),
  };
}

/**
 * The timeline events written with the incident's creation (opened, and whatever the same batch did to it) ride on
 * the head as one compact attribute `zt`, so opening an incident is one write; rewrites of the head leave `zt` as it
 * is (replaceIncident sets the other attributes). The timeline read merges them in front of the timeline items.
 */
/** DynamoDB's size of an item (names plus values; close enough for strings, binaries and small numbers). */
function approximateSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    n += k.length + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v instanceof Uint8Array ? v.byteLength : 8);
  }
  return n;
}

function openingEventsOf(item: Item | undefined): TimelineEvent[] {
  return item && item.zt instanceof Uint8Array ? unpackBody<TimelineEvent[]>(item.zt) : [];
}

/** The incident of a head item, with the paged step recorded on it apart from the document (`ps`) merged in. */
function incidentOf(item: Item): Incident {
  const paged = typeof item.ps === 'number' ? item.ps : undefined;
  if (item.z instanceof Uint8Array) return withPagedStep({ ...unpackBody<Omit<Incident, 'version'>>(item.z), version: item.version as number }, paged);
  // Written before the compact body (plain attributes).
  const { pk: _pk, sk: _sk, itemKind: _t, g1pk: _a, g1sk: _b, g2pk: _c, g2sk: _d, g3pk: _e, g3sk: _f, zt: _zt, ps: _ps, ...rest } = item;
  return withPagedStep(rest as unknown as Incident, paged);
}

/**
 * A timeline item. Events of one write that share an instant (an incident opened and resolved by one batch) keep
 * the order they were planned in: the position in the write sorts them before the hash does.
 */
function timelineItem(ev: TimelineEvent, index: number): Item {
  const key = keyOfIncidentId(ev.incidentId);
  if (!key) throw new InvariantError(`bad incident id ${ev.incidentId}`);
  const tag = sha256Hex(`${ev.type}|${ev.message}|${JSON.stringify(ev.data ?? {})}|${index}`).slice(0, 8);
  return { pk: key.pk, sk: `C#${pad(key.seq)}#T#${ev.at}#${String(index).padStart(6, '0')}#${tag}`, itemKind: 'timeline', ...ev };
}

/** A delivery marker: this message was fully applied (`at`); expires with the TTL. */
function markerItem(messageKey: string, at: string): Item {
  return { pk: `M#${messageKey}`, sk: 'M', itemKind: 'marker', doneAt: at, expiresAt: Math.floor(Date.parse(at) / 1000) + MARKER_TTL_SECONDS };
}

function alertItem(rec: AlertRecord): Item {
  const key = keyOfIncidentId(rec.incidentId);
  if (!key) throw new InvariantError(`bad incident id ${rec.incidentId}`);
  return { pk: key.pk, sk: `C#${pad(key.seq)}#A#${rec.occurredAt}#${sha256Hex(rec.deliveryKey).slice(0, 16)}`, itemKind: 'alert', z: packBody(BODY_DICTIONARY.alert, rec) };
}

/** A timeline event or alert-log entry without its keys (alert-log entries from their compact body). */
function strip<T>(item: Item): T {
  if (item.z instanceof Uint8Array) return unpackBody<T>(item.z);
  const { pk: _pk, sk: _sk, itemKind: _t, ...rest } = item;
  return rest as T;
}


export class DynamoIncidentStore implements IncidentStore {
  private readonly doc: DynamoDBDocumentClient;
  /** The opening events (`zt`) of heads read by this instance, by `<id>@<version>`, for replaceIncident. Bounded. */
  private readonly openingEvents = new Map<string, Uint8Array>();

  /**
   * Short fingerprints this instance has seen a head of (heads are never deleted): latestForFingerprints queries
   * them without asking whether they have one. Bounded; forgetting one only costs that question again.
   */
  private readonly withHeads = new Set<string>();

  private read(item: Item): Incident {
    const inc = incidentOf(item);
    this.seen((item.pk as string | undefined)?.slice(3));
    if (item.zt instanceof Uint8Array) this.remember(inc, item.zt);
    return inc;
  }

  private seen(fp20: string | undefined): void {
    if (!fp20) return;
    this.withHeads.add(fp20);
    if (this.withHeads.size > 20_000) this.withHeads.delete(this.withHeads.values().next().value!);
  }

  private remember(inc: Incident, zt: Uint8Array): void {
    this.openingEvents.set(`${inc.id}@${inc.version}`, zt);
    if (this.openingEvents.size > 2000) this.openingEvents.delete(this.openingEvents.keys().next().value!);
  }

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
  }

  async recentForFingerprint(fp: Fingerprint, limit: number): Promise<Incident[]> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
      ExpressionAttributeValues: { ':pk': fpKey(shortFingerprint(fp)), ':h': 'H#' },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    }));
    return (out.Items ?? []).map((item) => this.read(item));
  }

  /**
   * A fingerprint's first head is `H#00000001` and heads are never deleted, so a fingerprint whose first head is
   * missing has no incident at all: one consistent BatchGetItem of the first heads (100 keys a call) answers a
   * batch's new fingerprints, and only the others are queried for their latest heads. Fingerprints this instance has
   * already seen a head of are queried at once (a head found stays found), so a batch of known ones pays nothing extra.
   */
  async latestForFingerprints(fps: readonly Fingerprint[], limit: number): Promise<Map<Fingerprint, Incident[]>> {
    const out = new Map<Fingerprint, Incident[]>();
    const distinct = [...new Set(fps)];
    const unknown = distinct.filter((fp) => !this.withHeads.has(shortFingerprint(fp)));
    for (let i = 0; i < unknown.length; i += 100) {
      const chunk = unknown.slice(i, i + 100);
      const found = await this.firstHeads(chunk);
      for (const fp of chunk) if (!found.has(fpKey(shortFingerprint(fp)))) out.set(fp, []);
    }
    const rest = distinct.filter((fp) => !out.has(fp));
    await mapLimit(rest, HEAD_QUERY_CONCURRENCY, async (fp) => {
      out.set(fp, await this.recentForFingerprint(fp, limit));
    });
    return out;
  }

  /** The partition keys among these fingerprints' whose first head exists (one consistent BatchGetItem, retried for unprocessed keys). */
  private async firstHeads(fps: readonly Fingerprint[]): Promise<Set<string>> {
    const found = new Set<string>();
    let keys: Array<Record<string, unknown>> | undefined = fps.map((fp) => ({ pk: fpKey(shortFingerprint(fp)), sk: headSk(1) }));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      if (attempt >= 8) throw new TransientError('batch get left unprocessed keys after 8 attempts');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const res = await this.doc.send(new BatchGetCommand({
        RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'pk' } },
      }));
      for (const item of res.Responses?.[this.tableName] ?? []) {
        found.add(item.pk as string);
        this.seen((item.pk as string).slice(3));
      }
      keys = res.UnprocessedKeys?.[this.tableName]?.Keys as typeof keys;
    }
    return found;
  }

  async recordPagedStep(incidentId: string, step: number): Promise<void> {
    const key = keyOfIncidentId(incidentId);
    if (!key) return;
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: 'SET ps = :s',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(ps) OR ps < :s)',
        ExpressionAttributeValues: { ':s': step },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // no such incident, or this step (or a later one) already recorded
    }
  }

  async applyPlan(plan: IncidentPlan): Promise<ApplyResult> {
    // Alert-log items go first. Their keys are deterministic (incident, occurrence time, delivery), so a retry or a
    // redelivery rewrites the same items. Written after the head, a kill between the two would leave alerts counted
    // without their entry, and the redelivery, recognised by the head's idempotency ring, would never write it.
    // Delivery markers leaving the heads' rings go first too: a kill after them leaves markers of messages the
    // heads still remember (applied), never a message forgotten without its marker.
    await this.batchPut([...(plan.markers ?? []).map(([key, at]) => markerItem(key, new Date(at).toISOString())), ...plan.alertLog.map(alertItem)]);
    if (plan.update) {
      const res = await this.replaceIncident(plan.update.before, plan.update.after);
      if (res.kind === 'conflict') return res;
    }
    // A new incident is one conditional write: the head with its opening timeline events folded in (`zt`).
    const created = new Set(plan.creates.map((inc) => inc.id));
    for (const inc of plan.creates) {
      const events = plan.timeline.filter((ev) => ev.incidentId === inc.id);
      const zt = events.length > 0 ? packBody(BODY_DICTIONARY.alert, events) : undefined;
      try {
        await this.doc.send(new PutCommand({
          TableName: this.tableName,
          Item: { ...incidentItem(inc), ...(zt ? { zt } : {}) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }));
        if (zt) this.remember(inc, zt);
        this.seen(shortFingerprint(inc.fingerprint));
      } catch (err) {
        if (isConditionFailure(err)) return { kind: 'conflict', reason: `incident ${inc.id} was created concurrently` };
        throw err;
      }
    }
    await this.batchPut(plan.timeline.filter((ev) => !created.has(ev.incidentId)).map(timelineItem));
    return { kind: 'applied' };
  }

  async replaceIncident(before: Incident, after: Incident): Promise<ApplyResult> {
    // An update, not a put, so the opening events on the head (`zt`) stay, unless the head would outgrow one write
    // unit with them: then they move to timeline items first (the same keys on a retry; the read shows each once)
    // and the update removes them.
    const attrs = headAttributes(after);
    const names = Object.keys(attrs);
    const key = { pk: fpKey(shortFingerprint(after.fingerprint)), sk: headSk(after.seq) };
    const zt = this.openingEvents.get(`${before.id}@${before.version}`);
    const moveOut = zt !== undefined && approximateSize({ ...key, ...attrs, zt }) > 1024;
    if (moveOut) await this.batchPut(unpackBody<TimelineEvent[]>(zt).map(timelineItem));
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}${moveOut ? ' REMOVE zt' : ''}`,
        ConditionExpression: '#version = :v',
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((n) => [`:${n}`, attrs[n]])), ':v': before.version },
      }));
      if (zt && !moveOut) this.remember(after, zt);
      return { kind: 'applied' };
    } catch (err) {
      if (isConditionFailure(err)) return { kind: 'conflict', reason: `incident ${before.id} changed since version ${before.version}` };
      throw err;
    }
  }

  async getIncident(id: string): Promise<Incident | null> {
    const key = keyOfIncidentId(id);
    if (!key) return null;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
    return out.Item ? this.read(out.Item) : null;
  }

  async listIncidents(query: IncidentQuery): Promise<IncidentPage> {
    const index: IndexName = query.status || !query.service ? 'byStatus' : 'byService';
    const hashValue = index === 'byStatus' ? `STATUS#${query.status}` : `SVC#${query.service}`;
    // Filters the index does not key (severity, tag, team, source, service beside a status) are applied to the
    // items read: larger index pages then, so a rare match does not take many round trips.
    const inMemory = query.severity || query.tag || query.team || query.source || (query.status && query.service);
    const listing = {
      doc: this.doc, tableName: this.tableName, index, from: query.from, to: query.to, limit: query.limit, cursor: query.cursor,
      pageSize: inMemory ? 100 : Math.min(query.limit + 1, 100),
      decode: (item: Item) => {
        const inc = incidentOf(item);
        return matchesFilters(inc, query) ? inc : null;
      },
      isItemKey: (pk: string, sk: string) => /^FP#[0-9a-f]{20}$/.test(pk) && /^H#\d{8}$/.test(sk),
    };
    // Without a status or service: every status partition, merged newest first (there is no index of all incidents).
    if (!query.status && !query.service) return listMerged<Incident>({ ...listing, hashValues: INCIDENT_STATUSES.map((s) => `STATUS#${s}`) });
    return listByIndex<Incident>({ ...listing, hashValue });
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    const key = keyOfIncidentId(id);
    if (!key) return [];
    // The opening events ride on the head (written with it, so before any timeline item of the incident).
    const [head, items] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk }, ProjectionExpression: 'zt', ConsistentRead: true })),
      queryPrefix(this.doc, this.tableName, key.pk, `C#${pad(key.seq)}#T#`),
    ]);
    // Events being moved out of the head (or left on it by a crash after the move) are shown once.
    const moved = new Set(items.map((item) => item.sk));
    const onHead = openingEventsOf(head.Item).filter((ev, i) => !moved.has(timelineItem(ev, i).sk));
    return [...onHead, ...items.map((item) => strip<TimelineEvent>(item))];
  }

  async alerts(id: string): Promise<AlertRecord[]> {
    return this.children<AlertRecord>(id, 'A');
  }

  async appendTimeline(events: readonly TimelineEvent[]): Promise<void> {
    await this.batchPut(events.map(timelineItem));
  }

  async isMessageDone(messageKey: string): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `M#${messageKey}`, sk: 'M' } }));
    return out.Item !== undefined;
  }

  async markMessagesDone(messageKeys: readonly string[], at: string): Promise<void> {
    await this.batchPut(messageKeys.map((k) => markerItem(k, at)));
  }

  private async children<T>(id: string, kind: 'T' | 'A'): Promise<T[]> {
    const key = keyOfIncidentId(id);
    if (!key) return [];
    return (await queryPrefix(this.doc, this.tableName, key.pk, `C#${pad(key.seq)}#${kind}#`)).map((item) => strip<T>(item));
  }

  private async batchPut(items: Item[]): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let request: Record<string, Array<{ PutRequest: { Item: Item } }>> | undefined = {
        [this.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt >= 8) throw new TransientError('batch write left unprocessed items after 8 attempts');
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = out.UnprocessedItems as typeof request;
        if (request && Object.keys(request).length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }
}

function matchesFilters(inc: Incident, q: IncidentQuery): boolean {
  if (q.status && inc.status !== q.status) return false;
  if (q.service && inc.route.service !== q.service) return false;
  if (q.severity && inc.severity !== q.severity) return false;
  if (q.team && inc.route.team !== q.team) return false;
  if (q.source && inc.source !== q.source) return false;
  if (q.tag) {
    const v = inc.tags[q.tag.key];
    if (v === undefined) return false;
    if (q.tag.value !== null && v !== q.tag.value) return false;
  }
  return true;
}

export const STATUSES = INCIDENT_STATUSES;
