/**
 * The raw archive's batch objects. A delivery that fits in one queue message travels with its raw body (the
 * message is its durable copy); the processor archives the bodies of a batch's messages as ONE object, NDJSON with
 * one line per delivery (its metadata and its body as a JSON string, so the body is kept byte for byte), before it
 * processes the batch. Each alert's archive key is then a line reference: `<object key>#bytes=<first>-<last>` (the
 * line's byte range in the object, both ends included, as in an HTTP Range). Keys without `#` are the whole-object
 * layout (one object per delivery: large deliveries, and every delivery archived before batch objects existed).
 */
import { sha256Hex } from './fingerprint';
import type { AlertEnvelope } from './model/alert';
import type { ArchivedObject } from './ports';

/** The `raw/<folder>/` of batch objects (a batch may mix sources; each line names its own). */
export const BATCH_FOLDER = 'batch';
/** Content type of a batch object. */
export const BATCH_CONTENT_TYPE = 'application/x-ndjson';
/** Content type recorded for a body whose sender's content type is not known (the whole-object layout's too). */
export const DEFAULT_RAW_CONTENT_TYPE = 'application/json';

/** The raw body an envelope carries, with the archive metadata the envelope's own fields do not hold. */
export type CarriedRaw = NonNullable<AlertEnvelope['raw']>;

/** One line of a batch object. */
export interface BatchLine {
  messageKey: string;
  source: string;
  via: string;
  integration?: string;
  receivedAt: string;
  requestId: string;
  contentType: string;
  body: string;
}

export interface BatchObject {
  key: string;
  body: string;
  metadata: Record<string, string>;
  /** Message key -> archive key of its line (a line reference). */
  refs: Map<string, string>;
}

/** A line reference: the object key and the line's byte range (both ends included). */
export function lineRefOf(key: string, first: number, last: number): string {
  return `${key}#bytes=${first}-${last}`;
}

/** An archive key split into the object key and, for a line reference, its byte range; null when malformed. */
export function parseArchiveRef(ref: string): { key: string; range: { first: number; last: number } | null } | null {
  const hash = ref.indexOf('#');
  if (hash < 0) return { key: ref, range: null };
  const m = /^bytes=(\d{1,15})-(\d{1,15})$/.exec(ref.slice(hash + 1));
  if (!m) return null;
  const first = Number(m[1]);
  const last = Number(m[2]);
  if (last < first) return null;
  return { key: ref.slice(0, hash), range: { first, last } };
}

/** A batch object's line parsed once: the archived delivery and its message key; undefined when not such a line. */
function parseLine(text: string): { archived: ArchivedObject; messageKey?: string } | undefined {
  let line: Partial<BatchLine>;
  try {
    line = JSON.parse(text) as Partial<BatchLine>;
  } catch {
    return undefined;
  }
  if (typeof line !== 'object' || line === null || typeof line.body !== 'string') return undefined;
  const metadata: Record<string, string> = {};
  for (const k of ['source', 'via', 'integration', 'receivedAt', 'requestId'] as const) {
    const v = line[k];
    if (typeof v === 'string') metadata[k] = v;
  }
  const archived = { body: line.body, metadata, contentType: typeof line.contentType === 'string' ? line.contentType : DEFAULT_RAW_CONTENT_TYPE };
  return typeof line.messageKey === 'string' ? { archived, messageKey: line.messageKey } : { archived };
}

/** The archived delivery a batch object's line holds; undefined when the text is not such a line. */
export function archivedOfLine(text: string): ArchivedObject | undefined {
  return parseLine(text)?.archived;
}

/** Every line of a batch object with its line reference (replay reads a batch object whole). */
export function linesOfBatch(key: string, object: string): Array<{ ref: string; archived: ArchivedObject; messageKey?: string }> {
  const out: Array<{ ref: string; archived: ArchivedObject; messageKey?: string }> = [];
  const bytes = Buffer.from(object, 'utf8');
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) {
      const parsed = parseLine(bytes.subarray(start, end).toString('utf8'));
      if (parsed) out.push({ ref: lineRefOf(key, start, end - 1), ...parsed });
    }
    start = end + 1;
  }
  return out;
}

/**
 * The batch object of the envelopes that carry their raw body (one line per message key, in the order given),
 * written at `now`: `raw/batch/<yyyy>/<mm>/<dd>/<hh>/<time>_<hash of the message keys>.ndjson`. Null when none
 * carries a body.
 */
export function batchObjectOf(envelopes: readonly AlertEnvelope[], now: Date): BatchObject | null {
  const carried = envelopes.filter((e): e is AlertEnvelope & { raw: CarriedRaw } => e.raw !== undefined);
  if (carried.length === 0) return null;
  const iso = now.toISOString();
  const [y, m, d] = iso.slice(0, 10).split('-');
  const hash = sha256Hex(carried.map((e) => e.messageKey).join('\n')).slice(0, 16);
  const key = `raw/${BATCH_FOLDER}/${y}/${m}/${d}/${iso.slice(11, 13)}/${iso.replace(/[:.]/g, '-')}_${hash}.ndjson`;
  const refs = new Map<string, string>();
  const lines: string[] = [];
  let offset = 0;
  for (const e of carried) {
    if (refs.has(e.messageKey)) continue;
    const line: BatchLine = {
      messageKey: e.messageKey,
      source: e.source,
      via: e.via,
      ...(e.integration !== undefined ? { integration: e.integration } : {}),
      receivedAt: e.receivedAt,
      requestId: e.raw.requestId,
      contentType: e.raw.contentType ?? DEFAULT_RAW_CONTENT_TYPE,
      body: e.raw.body,
    };
    const text = JSON.stringify(line);
    const bytes = Buffer.byteLength(text, 'utf8');
    refs.set(e.messageKey, lineRefOf(key, offset, offset + bytes - 1));
    lines.push(text);
    offset += bytes + 1;
  }
  return { key, body: `${lines.join('\n')}\n`, metadata: { kind: 'batch', lines: String(lines.length) }, refs };
}
