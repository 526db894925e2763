/**
 * RawArchive on S3: the processor's batch objects under `raw/batch/<yyyy>/<mm>/<dd>/<hh>/` (one line per delivery,
 * read with a Range GET of the line) and one object per delivery too large for one queue message under
 * `raw/<source>/<yyyy>/<mm>/<dd>/<hh>/` (core/raw-batch.ts).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchivedObject, RawArchive } from '../../core/ports';
import { archivedOfLine, DEFAULT_RAW_CONTENT_TYPE, parseArchiveRef } from '../../core/raw-batch';

/** S3's metadata keys come back lower-cased; the archive writes these camel-cased ones (core/pipeline.ts). */
const METADATA_KEYS = ['source', 'via', 'integration', 'receivedAt', 'requestId'];

/**
 * A missing key. Without s3:ListBucket on the bucket (the API may only GetObject under raw/), S3 answers a missing
 * key with 403 AccessDenied rather than 404 NoSuchKey, so both mean "not there" for a key under raw/.
 */
function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.name === 'AccessDenied' || e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 404;
}

export class S3RawArchive implements RawArchive {
  constructor(private readonly s3: Pick<S3Client, 'send'>, private readonly bucket: string) {}

  async put(key: string, body: string, metadata: Record<string, string>, contentType = DEFAULT_RAW_CONTENT_TYPE): Promise<void> {
    await this.s3.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      Metadata: metadata,
    }));
  }

  async get(ref: string): Promise<ArchivedObject | undefined> {
    const parsed = parseArchiveRef(ref);
    if (!parsed) return undefined;
    const { key, range } = parsed;
    let res;
    try {
      res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.first}-${range.last}` } : {}) }));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const body = res.Body ? await res.Body.transformToString('utf8') : '';
    if (range) return archivedOfLine(body);
    const lower = Object.fromEntries(Object.entries(res.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const metadata: Record<string, string> = {};
    for (const k of METADATA_KEYS) if (lower[k.toLowerCase()] !== undefined) metadata[k] = lower[k.toLowerCase()]!;
    return { body, metadata, ...(res.ContentType ? { contentType: res.ContentType } : {}) };
  }
}
