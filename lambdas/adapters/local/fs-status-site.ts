/**
 * StatusSiteWriter in a local folder (DATA_DIR/status-site), same paths as the S3 keys. Each file is written to a
 * temporary name and renamed, so the local server never serves a half-written page. `read` serves them back.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { InvariantError } from '../../core/errors';
import type { StatusSiteWriter } from '../../core/ports';
import type { StatusFile } from '../../core/status/model';

export class FsStatusSite implements StatusSiteWriter {
  constructor(private readonly root: string) {}

  async write(files: readonly StatusFile[]): Promise<void> {
    for (const f of files) {
      const path = this.pathOf(f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, f.body, 'utf8');
      await writeFile(`${path}.meta.json.tmp`, JSON.stringify({ contentType: f.contentType, cacheSeconds: f.cacheSeconds }), 'utf8');
      await rename(`${path}.meta.json.tmp`, `${path}.meta.json`);
      await rename(`${path}.tmp`, path);
    }
  }

  /** A written file with its content type and cache time, or null when it was never written. */
  async read(path: string): Promise<{ body: string; contentType: string; cacheSeconds: number } | null> {
    try {
      const file = this.pathOf(path);
      const meta = JSON.parse(await readFile(`${file}.meta.json`, 'utf8')) as { contentType: string; cacheSeconds: number };
      return { body: await readFile(file, 'utf8'), ...meta };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private pathOf(path: string): string {
    const rel = normalize(path).replace(/^([/\\])+/, '');
    if (rel.startsWith('..')) throw new InvariantError(`not a status site path: ${path}`);
    return join(this.root, rel);
  }
}
