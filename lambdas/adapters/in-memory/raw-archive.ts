/** RawArchive in memory, for unit tests of handlers (the local runtime uses the folder archive, FsRawArchive). */
import type { ArchivedObject, RawArchive } from '../../core/ports';

export class InMemoryRawArchive implements RawArchive {
  readonly objects = new Map<string, ArchivedObject>();

  async put(key: string, body: string, metadata: Record<string, string>): Promise<void> {
    this.objects.set(key, { body, metadata: { ...metadata }, contentType: 'application/json' });
  }

  async get(key: string): Promise<ArchivedObject | undefined> {
    const o = this.objects.get(key);
    return o && { ...o, metadata: { ...o.metadata } };
  }
}
