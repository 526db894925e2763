/** RawArchive in memory, for unit tests of handlers (the local runtime uses the folder archive, FsRawArchive). */
import type { ArchivedObject, RawArchive } from '../../core/ports';
import { archivedOfLine, DEFAULT_RAW_CONTENT_TYPE, parseArchiveRef } from '../../core/raw-batch';

export class InMemoryRawArchive implements RawArchive {
  readonly objects = new Map<string, ArchivedObject>();

  /** Every put, in order (the cost runs count them). */
  puts = 0;

  async put(key: string, body: string, metadata: Record<string, string>, contentType = DEFAULT_RAW_CONTENT_TYPE): Promise<void> {
    this.puts += 1;
    this.objects.set(key, { body, metadata: { ...metadata }, contentType });
  }

  async get(ref: string): Promise<ArchivedObject | undefined> {
    const parsed = parseArchiveRef(ref);
    const o = parsed && this.objects.get(parsed.key);
    if (!o || !parsed) return undefined;
    if (parsed.range) return archivedOfLine(Buffer.from(o.body, 'utf8').subarray(parsed.range.first, parsed.range.last + 1).toString('utf8'));
    return { ...o, metadata: { ...o.metadata } };
  }
}
