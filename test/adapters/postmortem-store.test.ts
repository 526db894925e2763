import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoPostmortemStore } from '../../lambdas/adapters/dynamodb/postmortem-store';
import { InMemoryDocuments, InMemoryPostmortemStore } from '../../lambdas/adapters/in-memory/postmortem-store';
import { FsDocuments } from '../../lambdas/adapters/local/fs-documents';
import { S3Documents } from '../../lambdas/adapters/s3/s3-documents';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PostmortemStore, PublishedDocuments } from '../../lambdas/core/ports';
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
  });

contract('in-memory', async () => ({ store: new InMemoryPostmortemStore(), close: async () => {} }));
contract('DynamoDB (embedded dynalite)', async () => {
  const d = await startEmbeddedDynamo({ tableName: 'incidents' });
  return { store: new DynamoPostmortemStore(d.client, 'incidents'), close: () => d.close() };
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
