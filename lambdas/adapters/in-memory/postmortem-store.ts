/** In-memory PostmortemStore and PublishedDocuments with the DynamoDB / S3 adapters' semantics, for unit tests. */
import { BadRequestError } from '../../core/errors';
import type { ApplyResult, PostmortemPage, PostmortemQuery, PostmortemStore, PublishedDocuments } from '../../core/ports';
import { matchesPostmortemQuery, summaryOf, type Postmortem, type PostmortemSummary } from '../../core/postmortem/model';

export class InMemoryPostmortemStore implements PostmortemStore {
  readonly items = new Map<string, Postmortem>();

  async get(incidentId: string): Promise<Postmortem | null> {
    const pm = this.items.get(incidentId);
    return pm ? structuredClone(pm) : null;
  }

  async put(pm: Postmortem, expectedVersion: number | null): Promise<ApplyResult> {
    const current = this.items.get(pm.incidentId);
    if (expectedVersion === null ? current !== undefined : current?.version !== expectedVersion) {
      return { kind: 'conflict', reason: current ? `stored version is ${current.version}` : 'no postmortem stored' };
    }
    this.items.set(pm.incidentId, structuredClone(pm));
    return { kind: 'applied' };
  }

  async list(q: PostmortemQuery): Promise<PostmortemPage> {
    const sortKey = (s: PostmortemSummary) => `${s.openedAt}#${s.incidentId}`;
    let after: string | null = null;
    if (q.cursor) {
      after = Buffer.from(q.cursor, 'base64url').toString('utf8');
      if (!after.includes('#')) throw new BadRequestError('cursor is not a cursor this API returned', { field: 'cursor' });
    }
    const all = [...this.items.values()].map(summaryOf)
      .filter((s) => matchesPostmortemQuery(s, q))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
      .filter((s) => after === null || sortKey(s) < after);
    const items = all.slice(0, q.limit);
    const cursor = all.length > q.limit ? Buffer.from(sortKey(items[items.length - 1]!), 'utf8').toString('base64url') : null;
    return { items, cursor };
  }
}

export class InMemoryDocuments implements PublishedDocuments {
  readonly docs = new Map<string, { body: string; contentType: string }>();
  async put(key: string, body: string, contentType: string): Promise<void> {
    this.docs.set(key, { body, contentType });
  }
  async get(key: string): Promise<string | null> {
    return this.docs.get(key)?.body ?? null;
  }
}
