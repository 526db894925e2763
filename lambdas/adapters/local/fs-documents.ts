/**
 * PublishedDocuments in a local folder (the local runtime's data directory), same key layout as S3. Written to a
 * temporary name, flushed and renamed, so a kill never leaves half a document.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { InvariantError } from '../../core/errors';
import type { PublishedDocuments } from '../../core/ports';
import { writeFileDurably } from './durable-file';

export class FsDocuments implements PublishedDocuments {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(resolve(this.root) + sep)) throw new InvariantError(`document key ${key} leaves the documents folder`);
    return path;
  }

  async put(key: string, body: string, _contentType: string): Promise<void> {
    await writeFileDurably(this.pathOf(key), body);
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
