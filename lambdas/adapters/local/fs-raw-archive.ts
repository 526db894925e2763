/**
 * RawArchive in a local folder (the local runtime's data directory), same key layout as S3. The file is written to
 * a temporary name, flushed to disk and renamed, so a kill never leaves a half-written archive entry.
 */
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RawArchive } from '../../core/ports';

export class FsRawArchive implements RawArchive {
  constructor(private readonly root: string) {}

  async put(key: string, body: string, metadata: Record<string, string>): Promise<void> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    const handle = await open(tmp, 'w', 0o600); // raw bodies can carry credentials (an Events v2 routing_key)
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await writeFile(`${path}.meta.json`, JSON.stringify(metadata), { encoding: 'utf8', mode: 0o600 });
  }
}
