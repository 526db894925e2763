/**
 * RawArchive in a local folder (the local runtime's data directory), same key layout as S3. The file is written to
 * a temporary name, flushed to disk and renamed, so a kill never leaves a half-written archive entry.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { ArchivedObject, RawArchive } from '../../core/ports';
import { writeFileDurably } from './durable-file';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

export class FsRawArchive implements RawArchive {
  constructor(private readonly root: string) {}

  async put(key: string, body: string, metadata: Record<string, string>): Promise<void> {
    const path = join(this.root, key);
    await writeFileDurably(path, body); // raw bodies can carry credentials (an Events v2 routing_key)
    await writeFile(`${path}.meta.json`, JSON.stringify(metadata), { encoding: 'utf8', mode: 0o600 });
  }

  async get(key: string): Promise<ArchivedObject | undefined> {
    const root = resolve(this.root);
    const path = resolve(root, key);
    if (!path.startsWith(root + sep)) return undefined; // a key is a path inside the archive, never outside it
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
    return { body, metadata, contentType: 'application/json' };
  }
}
