/**
 * Writes a file so that a reader sees the old content or the whole new one, never a torn one, and a crash after the
 * call returns keeps it: write a temporary sibling, fsync, rename. Mode 0600: local data files can carry
 * credentials (raw bodies with an Events v2 routing_key) or live one-click links.
 */
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileDurably(path: string, body: string): Promise<void> {
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
