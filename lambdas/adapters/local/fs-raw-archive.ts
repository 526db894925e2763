/**
 * RawArchive in a local folder (the local runtime's data directory), same key layout as S3 (a line reference into a
 * batch object reads that line's bytes, core/raw-batch.ts). The file is written to
 * a temporary name, flushed to disk and renamed, so a kill never leaves a half-written archive entry.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { ArchivedObject, RawArchive } from '../../core/ports';
import { archivedOfLine, DEFAULT_RAW_CONTENT_TYPE, parseArchiveRef } from '../../core/raw-batch';
import { writeFileDurably } from './durable-file';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

export class FsRawArchive implements RawArchive {
  constructor(private readonly root: string) {}

  async put(key: string, body: string, metadata: Record<string, string>, contentType = DEFAULT_RAW_CONTENT_TYPE): Promise<void> {
    const path = join(this.root, key);
    await writeFileDurably(path, body); // raw bodies can carry credentials (an Events v2 routing_key)
    const meta = contentType === DEFAULT_RAW_CONTENT_TYPE ? metadata : { ...metadata, contentType };
    await writeFile(`${path}.meta.json`, JSON.stringify(meta), { encoding: 'utf8', mode: 0o600 });
  }

  async get(ref: string): Promise<ArchivedObject | undefined> {
    const parsed = parseArchiveRef(ref);
    if (!parsed) return undefined;
    const root = resolve(this.root);
    const path = resolve(root, parsed.key);
    if (!path.startsWith(root + sep)) return undefined; // a key is a path inside the archive, never outside it
    if (parsed.range) return this.line(path, parsed.range.first, parsed.range.last);
    let body: string;
    try {
      body = await readFile(path, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    let metadata: Record<string, string> = {};
    try {
      metadata = JSON.parse(await readFile(`${path}.meta.json`, 'utf8')) as Record<string, string>;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    const { contentType, ...rest } = metadata;
    return { body, metadata: rest, contentType: contentType ?? DEFAULT_RAW_CONTENT_TYPE };
  }

  private async line(path: string, first: number, last: number): Promise<ArchivedObject | undefined> {
    let file;
    try {
      file = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      const buffer = Buffer.alloc(last - first + 1);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, first);
      return archivedOfLine(buffer.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await file.close();
    }
  }
}
