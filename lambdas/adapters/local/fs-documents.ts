/**
 * PublishedDocuments in a local folder (the local runtime's data directory), same key layout as S3. Written to a
 * temporary name, flushed and renamed, so a kill never leaves half a document.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { InvariantError } from '../../core/errors';
import type { PublishedDocuments } from '../../core/ports';

export class FsDocuments implements PublishedDocuments {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(resolve(this.root) + sep)) throw new InvariantError(`document key ${key} leaves the documents folder`);
    return path;
  }

  async put(key: string, body: string, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  }

  async get(key: string): Promise<string | null> {
    try {
      return await readFile(join(this.pathOf(key)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}
