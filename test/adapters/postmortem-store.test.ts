import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoPostmortemStore } from '../../lambdas/adapters/dynamodb/postmortem-store';
import { InMemoryDocuments, InMemoryPostmortemStore } from '../../lambdas/adapters/in-memory/postmortem-store';
import { FsDocuments } from '../../lambdas/adapters/local/fs-documents';
import { S3Documents } from '../../lambdas/adapters/s3/s3-documents';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PostmortemPage, PostmortemQuery, PostmortemStore, PublishedDocuments } from '../../lambdas/core/ports';
import { DEFAULT_TEMPLATE } from '../../lambdas/core/postmortem/config';
import { draftPostmortem } from '../../lambdas/core/postmortem/draft';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import { main, mainAlerts, mainTimeline } from '../core/postmortem/fixtures';

const pm = draftPostmortem({
  incident: main, timeline: mainTimeline, alerts: mainAlerts, neighbours: [], related: [], template: DEFAULT_TEMPLATE, checklists: [],
  window: { from: '2026-11-20T09:00:00.000Z', to: '2026-11-20T12:00:00.000Z' }, nowIso: '2026-11-20T12:00:00.000Z', by: 'alice',
});

const contract = (name: string, make: () => Promise<{ store: PostmortemStore; close(): Promise<void> }>) =>
  describe(`PostmortemStore contract: ${name}`, () => {
    let store: PostmortemStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await make()));
    afterEach(async () => close());

    it('creates once, reads back what was written', async () => {
      expect(await store.get('inc-main')).toBeNull();
      expect(await store.put(pm, null)).toEqual({ kind: 'applied' });
      expect(await store.get('inc-main')).toEqual(pm);
      expect((await store.put(pm, null)).kind).toBe('conflict');
    });

    it('replaces only at the expected version, concurrently too', async () => {
      await store.put(pm, null);
      const v2 = { ...pm, version: 2, updatedBy: 'bob' };
      expect((await store.put(v2, 5)).kind).toBe('conflict');
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store.put({ ...v2, updatedBy: `u${i}` }, 1)));
      expect(results.filter((r) => r.kind === 'applied')).toHaveLength(1);
      expect((await store.get('inc-main'))!.version).toBe(2);
    });

    /** 130 postmortems a minute apart; team payments every 40th (4 of them), statuses in turn. */
    const many = async () => {
      const ids: string[] = [];
      for (let i = 0; i < 130; i++) {
        const id = `inc-p${String(i).padStart(3, '0')}`;
        const openedAt = new Date(Date.parse('2026-11-01T00:00:00.000Z') + i * 60_000).toISOString();
        const status = (['draft', 'in_review', 'published'] as const)[i % 3]!;
        const team = i % 40 === 0 ? 'payments' : 'search';
        const service = i % 2 === 0 ? 'checkout' : 'search';
        await store.put({ ...pm, incidentId: id, status, facts: { ...pm.facts, incident: { ...pm.facts.incident, id, openedAt, team, service } } }, null);
        ids.push(id);
      }
      return ids.reverse(); // newest first
    };
    const walk = async (query: Omit<PostmortemQuery, 'cursor'>) => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: PostmortemPage = await store.list({ ...query, cursor: cursor ?? undefined });
        pages.push(page.items.map((s) => s.incidentId));
        cursor = page.cursor;
      } while (cursor && pages.length < 20);
      return pages;
    };

    it('lists summaries newest first; a rare filter over more than one index page fills its page, the cursor says if more match', async () => {
      const ids = await many();
      expect(await walk({ team: 'payments', limit: 3 })).toEqual([['inc-p120', 'inc-p080', 'inc-p040'], ['inc-p000']]);
      expect(await walk({ team: 'payments', limit: 4 })).toEqual([['inc-p120', 'inc-p080', 'inc-p040', 'inc-p000']]);
      expect((await walk({ limit: 100 })).flat()).toEqual(ids);
      expect((await walk({ limit: 25 })).map((p) => p.length)).toEqual([25, 25, 25, 25, 25, 5]);
      const summary = (await store.list({ limit: 1 })).items[0]!;
      expect(summary).toMatchObject({ incidentId: 'inc-p129', status: 'draft', service: 'search', team: 'search', title: pm.facts.incident.title, version: 1 });
      expect(Object.keys(summary)).not.toContain('sections');
    });

    it('filters by status, service (both at once too), team and the opened-at range', async () => {
      await many();
      const all = async (q: Omit<PostmortemQuery, 'cursor' | 'limit'>) => (await walk({ ...q, limit: 100 })).flat();
      expect(await all({ status: 'published', team: 'payments' })).toEqual(['inc-p080']);
      expect(await all({ status: 'in_review', service: 'checkout', team: 'payments' })).toEqual(['inc-p040']);
      expect((await all({ service: 'checkout' })).length).toBe(65);
      expect(await all({ from: '2026-11-01T02:08:00.000Z' })).toEqual(['inc-p129', 'inc-p128']);
      expect(await all({ from: '2026-11-01T00:01:00.000Z', to: '2026-11-01T00:02:00.000Z' })).toEqual(['inc-p002', 'inc-p001']);
    });

    it('an edit that changes the status moves the postmortem to that status', async () => {
      await store.put(pm, null);
      expect((await store.list({ status: 'draft', limit: 10 })).items.map((s) => s.incidentId)).toEqual(['inc-main']);
      await store.put({ ...pm, version: 2, status: 'in_review' }, 1);
      expect((await store.list({ status: 'draft', limit: 10 })).items).toEqual([]);
      expect((await store.list({ status: 'in_review', limit: 10 })).items.map((s) => [s.incidentId, s.version])).toEqual([['inc-main', 2]]);
    });
  });

contract('in-memory', async () => ({ store: new InMemoryPostmortemStore(), close: async () => {} }));
contract('DynamoDB (embedded dynalite)', async () => {
  const d = await startEmbeddedDynamo({ tableName: 'incidents' });
  return { store: new DynamoPostmortemStore(d.client, 'incidents'), close: () => d.close() };
});

describe('DynamoPostmortemStore list', () => {
  it('refuses a cursor of another listing or a forged one (400 naming cursor)', async () => {
    const d = await startEmbeddedDynamo({ tableName: 'incidents' });
    try {
      const store = new DynamoPostmortemStore(d.client, 'incidents');
      for (let i = 0; i < 3; i++) await store.put({ ...pm, incidentId: `inc-m${i}`, facts: { ...pm.facts, incident: { ...pm.facts.incident, openedAt: `2026-11-0${i + 1}T00:00:00.000Z` } } }, null);
      const page = await store.list({ limit: 1 });
      expect(page.cursor).not.toBeNull();
      await expect(store.list({ limit: 1, status: 'draft', cursor: page.cursor! })).rejects.toMatchObject({ details: { field: 'cursor' } });
      const forged = Buffer.from(JSON.stringify({ pk: 'FP#00000000000000000000', sk: 'H#00000001', g3pk: 'POSTMORTEMS', g3sk: '2026-11-01T00:00:00.000Z' })).toString('base64url');
      await expect(store.list({ limit: 1, cursor: forged })).rejects.toMatchObject({ details: { field: 'cursor' } });
    } finally {
      await d.close();
    }
  });
});

const documents = (name: string, make: () => { docs: PublishedDocuments; close(): void }) =>
  describe(`PublishedDocuments contract: ${name}`, () => {
    it('stores and reads documents by key; a missing key is null', async () => {
      const { docs, close } = make();
      try {
        expect(await docs.get('postmortems/inc-1/v3.md')).toBeNull();
        await docs.put('postmortems/inc-1/v3.md', '# Postmortem\n', 'text/markdown; charset=utf-8');
        expect(await docs.get('postmortems/inc-1/v3.md')).toBe('# Postmortem\n');
      } finally {
        close();
      }
    });
  });

documents('in-memory', () => ({ docs: new InMemoryDocuments(), close: () => {} }));
documents('data directory', () => {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'docs-'));
  return { docs: new FsDocuments(dir), close: () => rmSync(dir, { recursive: true, force: true }) };
});

describe('FsDocuments', () => {
  it('refuses a key that leaves its folder', async () => {
    const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'docs-'));
    try {
      await expect(new FsDocuments(dir).put('../escape.md', 'x', 'text/markdown')).rejects.toThrow('leaves the documents folder');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('S3Documents (recording S3 client)', () => {
  const client = (answer: (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => unknown) => {
    const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
    const s3 = { send: async (cmd: any) => { sent.push({ name: cmd.constructor.name, input: cmd.input }); return answer(cmd); } };
    return { s3: s3 as unknown as S3Client, sent };
  };

  it('puts a document with its content type under its key, and reads it back', async () => {
    const { s3, sent } = client((cmd) => (cmd.constructor.name === 'GetObjectCommand' ? { Body: { transformToString: async () => '# Postmortem\n' } } : {}));
    const docs = new S3Documents(s3, 'archive');
    await docs.put('postmortems/inc-1/v3.md', '# Postmortem\n', 'text/markdown; charset=utf-8');
    expect(await docs.get('postmortems/inc-1/v3.md')).toBe('# Postmortem\n');
    expect(sent).toEqual([
      { name: 'PutObjectCommand', input: { Bucket: 'archive', Key: 'postmortems/inc-1/v3.md', Body: '# Postmortem\n', ContentType: 'text/markdown; charset=utf-8' } },
      { name: 'GetObjectCommand', input: { Bucket: 'archive', Key: 'postmortems/inc-1/v3.md' } },
    ]);
  });

  it('answers null for a missing key and passes other errors on', async () => {
    const missing = new S3Documents(client(() => { throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' }); }).s3, 'archive');
    expect(await missing.get('postmortems/x.md')).toBeNull();
    const denied = new S3Documents(client(() => { throw Object.assign(new Error('denied'), { name: 'AccessDenied' }); }).s3, 'archive');
    await expect(denied.get('postmortems/x.md')).rejects.toThrow('denied');
  });
});
