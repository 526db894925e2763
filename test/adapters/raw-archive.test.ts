/**
 * The RawArchive adapters read what they wrote: S3 (GetObject, with a stand-in client: mocks only in unit tests of
 * AWS adapters) and the local folder, for real. A missing key is `undefined`, never a throw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { FsRawArchive } from '../../lambdas/adapters/local/fs-raw-archive';
import { S3RawArchive } from '../../lambdas/adapters/s3/s3-raw-archive';

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
