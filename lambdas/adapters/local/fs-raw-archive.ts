/**
 * RawArchive in a local folder (the local runtime's data directory), same key layout as S3. The file is written to
 * a temporary name, flushed to disk and renamed, so a kill never leaves a half-written archive entry.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawArchive } from '../../core/ports';
import { writeFileDurably } from './durable-file';

export class FsRawArchive implements RawArchive {
  constructor(private readonly root: string) {}

  async put(key: string, body: string, metadata: Record<string, string>): Promise<void> {
    const path = join(this.root, key);
    await writeFileDurably(path, body); // raw bodies can carry credentials (an Events v2 routing_key)
    await writeFile(`${path}.meta.json`, JSON.stringify(metadata), { encoding: 'utf8', mode: 0o600 });
  }
}
