/**
 * The RawArchive adapters read what they wrote: S3 (GetObject, with a stand-in client: mocks only in unit tests of
 * AWS adapters) and the local folder, for real. A missing key is `undefined`, never a throw. The shared contract:
 * a batch object's lines read back through their line references, and a whole object through its key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { FsRawArchive } from '../../lambdas/adapters/local/fs-raw-archive';
import { S3RawArchive } from '../../lambdas/adapters/s3/s3-raw-archive';
import { InMemoryRawArchive } from '../../lambdas/adapters/in-memory/raw-archive';
import { batchObjectOf, BATCH_CONTENT_TYPE } from '../../lambdas/core/raw-batch';
import type { AlertEnvelope } from '../../lambdas/core/model/alert';
import type { RawArchive } from '../../lambdas/core/ports';
import { alert } from '../support/builders';

const KEY = 'raw/threatstack/2026/03/01/10/2026-03-01T10-00-00-000Z_req-1.json';
const BODY = '{"alerts": [ {"id":"a1"} ]}\n';
const META = { source: 'threatstack', via: 'threatstack-webhook', receivedAt: '2026-03-01T10:00:00.000Z', requestId: 'req-1' };

/** An S3 client stand-in: records each command's name and input, answers with `answer`. */
function s3(answer: (name: string, input: Record<string, unknown>) => unknown) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      return answer(command.constructor.name, command.input);
    },
  } as unknown as S3Client;
  return { client, calls };
}

const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('S3RawArchive.get', () => {
  it('reads the object with GetObject: the body as text, the metadata under the names it was written with, the content type', async () => {
    const fake = s3(() => ({
      Body: { transformToString: async (enc: string) => (enc === 'utf8' ? BODY : '') },
      ContentType: 'application/json',
      // S3 answers user metadata keys lower-cased.
      Metadata: { source: 'threatstack', via: 'threatstack-webhook', receivedat: '2026-03-01T10:00:00.000Z', requestid: 'req-1' },
    }));
    const got = await new S3RawArchive(fake.client, 'archive-bucket').get(KEY);
    expect(fake.calls).toEqual([{ name: 'GetObjectCommand', input: { Bucket: 'archive-bucket', Key: KEY } }]);
    expect(got).toEqual({ body: BODY, metadata: META, contentType: 'application/json' });
  });

  it.each([['NoSuchKey', 404], ['AccessDenied', 403]])('answers undefined for a missing key (%s: without s3:ListBucket S3 says 403)', async (name, status) => {
    const fake = s3(() => {
      throw s3Error(name, status);
    });
    await expect(new S3RawArchive(fake.client, 'archive-bucket').get(KEY)).resolves.toBeUndefined();
  });

  it('throws any other failure (a throttle is not "gone")', async () => {
    const fake = s3(() => {
      throw s3Error('SlowDown', 503);
    });
    await expect(new S3RawArchive(fake.client, 'archive-bucket').get(KEY)).rejects.toThrow('SlowDown');
  });
});

describe('FsRawArchive', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'raw-archive-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads back what it wrote, byte for byte, with its metadata', async () => {
    const archive = new FsRawArchive(root);
    const body = '{ "title": "caf\u00e9 \\u00e9",\n\t"n": 1.50 }';
    await archive.put(KEY, body, META);
    expect(await archive.get(KEY)).toEqual({ body, metadata: META, contentType: 'application/json' });
  });

  it('answers undefined for a missing key, and the body without metadata when the sibling file is missing', async () => {
    const archive = new FsRawArchive(root);
    expect(await archive.get(KEY)).toBeUndefined();
    await archive.put(KEY, BODY, META);
    rmSync(join(root, `${KEY}.meta.json`));
    expect(await archive.get(KEY)).toEqual({ body: BODY, metadata: {}, contentType: 'application/json' });
  });

  it('never reads outside its folder', async () => {
    writeFileSync(join(root, '..', 'outside-raw-archive.json'), 'secret');
    try {
      expect(await new FsRawArchive(root).get('../outside-raw-archive.json')).toBeUndefined();
    } finally {
      rmSync(join(root, '..', 'outside-raw-archive.json'));
    }
  });
});

/** An S3 stand-in that keeps objects and answers GetObject's Range the way S3 does (both ends included). */
function s3Store() {
  const objects = new Map<string, { body: string; contentType: string; metadata: Record<string, string> }>();
  const gets: Array<Record<string, unknown>> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, any> }) => {
      const input = command.input;
      if (command.constructor.name === 'PutObjectCommand') {
        objects.set(input.Key, { body: input.Body, contentType: input.ContentType, metadata: input.Metadata });
        return {};
      }
      gets.push(input);
      const o = objects.get(input.Key);
      if (!o) throw s3Error('NoSuchKey', 404);
      const m = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
      const bytes = Buffer.from(o.body, 'utf8');
      const body = m ? bytes.subarray(Number(m[1]), Number(m[2]) + 1).toString('utf8') : o.body;
      return { Body: { transformToString: async () => body }, ContentType: o.contentType, Metadata: Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [k.toLowerCase(), v])) };
    },
  } as unknown as S3Client;
  return { client, gets };
}

describe.each([
  ['S3RawArchive (Range GET of the line)', () => ({ archive: new S3RawArchive(s3Store().client, 'archive-bucket'), done: () => {} })],
  ['FsRawArchive', () => {
    const root = mkdtempSync(join(tmpdir(), 'raw-archive-'));
    return { archive: new FsRawArchive(root), done: () => rmSync(root, { recursive: true, force: true }) };
  }],
  ['InMemoryRawArchive', () => ({ archive: new InMemoryRawArchive(), done: () => {} })],
] as const)('%s: the RawArchive contract', (_name, make) => {
  let archive: RawArchive;
  let done: () => void;
  beforeEach(() => ({ archive, done } = make()));
  afterEach(() => done());

  const envs: AlertEnvelope[] = ['{"a": 1}\n', '{ "title": "caf\u00e9 \u2603 \ud83d\ude00",\n\t"n": 1.50 }', '{}'].map((body, i) => ({
    v: 1, messageKey: `m${i}`, source: 'threatstack', via: 'threatstack-webhook', ...(i === 1 ? { integration: 'ci' } : {}),
    receivedAt: '2026-03-01T10:00:00.000Z', archiveKey: '', raw: { body, requestId: `req-${i}` }, alerts: [alert()],
  }));

  it('reads each delivery of a batch object through its line reference, byte for byte, with its own metadata', async () => {
    const batch = batchObjectOf(envs, new Date('2026-03-01T10:00:01.000Z'))!;
    await archive.put(batch.key, batch.body, batch.metadata, BATCH_CONTENT_TYPE);
    for (const e of envs) {
      expect(await archive.get(batch.refs.get(e.messageKey)!)).toEqual({
        body: e.raw!.body,
        metadata: { source: 'threatstack', via: 'threatstack-webhook', ...(e.integration ? { integration: e.integration } : {}), receivedAt: e.receivedAt, requestId: e.raw!.requestId },
        contentType: 'application/json',
      });
    }
  });

  it('still reads a whole object under its key (the layout of large deliveries and of older alert logs)', async () => {
    await archive.put(KEY, BODY, META);
    expect(await archive.get(KEY)).toEqual({ body: BODY, metadata: META, contentType: 'application/json' });
  });

  it('answers undefined for a line of a missing object and for a malformed reference', async () => {
    const batch = batchObjectOf(envs, new Date('2026-03-01T10:00:01.000Z'))!;
    expect(await archive.get(batch.refs.get('m0')!)).toBeUndefined();
    await archive.put(batch.key, batch.body, batch.metadata, BATCH_CONTENT_TYPE);
    expect(await archive.get(`${batch.key}#bytes=5-1`)).toBeUndefined();
    expect(await archive.get(`${batch.key}#rows=1`)).toBeUndefined();
  });
});
