/** In-memory PostmortemStore and PublishedDocuments with the DynamoDB / S3 adapters' semantics, for unit tests. */
import type { ApplyResult, PostmortemStore, PublishedDocuments } from '../../core/ports';
import type { Postmortem } from '../../core/postmortem/model';

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
