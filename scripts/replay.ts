/**
 * Replay: runs the raw archive of a time range through the current and a candidate config and prints which alerts
 * would page, route, suppress, group or classify differently.
 *
 *   npm run replay -- --from <ISO> --to <ISO> --candidate <config file>
 *                     [--current config/pipeline.yaml] [--archive .data/archive | s3://bucket/prefix] [--json] [--max N]
 *
 * Bodies received in [from, to) are read in receive-time order from both archive layouts (lambdas/core/raw-batch.ts):
 * the processor's batch objects `raw/batch/<yyyy>/<mm>/<dd>/<hh>/<written>_<hash>.ndjson` (one line per delivery
 * with its metadata; the folder is the hour the processor wrote it, so hours up to `BATCH_LAG_HOURS` after the range
 * are read too) and the objects of single deliveries `raw/<source>/<yyyy>/<mm>/<dd>/<hh>/<receivedAt>_<requestId>.json`
 * (a folder with `.meta.json` siblings, or S3 with object metadata); they are fed to both simulations
 * (lambdas/core/simulate). A delivery redelivered by the queue can be on two lines (two batch objects): it is
 * replayed once. Progress goes to stderr every 500
 * bodies or every second. Exit 0 whatever the differences (it is a report), 2 on usage errors.
 */
import '../lambdas/local/check-node-version'; // first: stops with a clear message on an unsupported Node.js
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_CONFIG_PATH, loadPipelineConfig } from '../lib/config/load-pipeline-config';
import type { PipelineConfig } from '../lambdas/core/config/pipeline-config.schema';
import { SOURCES, type SourceName } from '../lambdas/core/normalize/registry';
import { diffSimulations, formatReplayReport } from '../lambdas/core/simulate/replay';
import { Simulator } from '../lambdas/core/simulate/simulate';
import { BATCH_FOLDER, linesOfBatch } from '../lambdas/core/raw-batch';
import { FsRawArchive } from '../lambdas/adapters/local/fs-raw-archive';

const USAGE =
  'usage: npm run replay -- --from <ISO> --to <ISO> --candidate <config file> ' +
  '[--current config/pipeline.yaml] [--archive .data/archive | s3://bucket/prefix] [--json] [--max N]';

export const DEFAULT_ARCHIVE = '.data/archive';
const HOUR = 3_600_000;
/**
 * How long after its receive time a delivery may be archived in a batch object (its folder is the hour the processor
 * wrote it): a message the queue delivers again and again until its dead-letter redrive, with the backlog of a storm.
 */
export const BATCH_LAG_HOURS = 24;

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Archive readers
// ---------------------------------------------------------------------------------------------------------------

/** One archived body, listed before it is read. */
export interface ArchiveEntry {
  key: string;
  /** The source from the key (`raw/<source>/...`). */
  source: string;
  /** Receive time from the file name (ISO); the metadata's value replaces it when read. */
  receivedAt: string;
}

export interface ArchivedBody {
  body: string;
  source: string;
  via: string | undefined;
  receivedAt: string;
  requestId: string | undefined;
  /** The ingest integration the body came through (archive metadata; absent before integrations existed). */
  integration?: string | undefined;
}

export interface ArchiveReader {
  /** Every entry received in [fromMs, toMs), in receive-time order. */
  list(fromMs: number, toMs: number): Promise<ArchiveEntry[]>;
  read(entry: ArchiveEntry): Promise<ArchivedBody>;
}

/** `2024-06-10T14-03-12-402Z_<requestId>.json` -> `2024-06-10T14:03:12.402Z` (archiveKeyOf's file name). */
export function receivedAtOfKey(key: string): string | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})(?:-(\d{1,3}))?Z_/.exec(name);
  if (!m) return null;
  const iso = `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${(m[5] ?? '0').padEnd(3, '0')}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : new Date(Date.parse(iso)).toISOString();
}

/** The hour folders `yyyy/mm/dd/hh` (UTC) that can hold bodies received in [fromMs, toMs). */
export function hoursBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(fromMs / HOUR) * HOUR; t < toMs; t += HOUR) {
    const d = new Date(t).toISOString();
    out.push(`${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(11, 13)}`);
  }
  return out;
}

const inRange = (iso: string, fromMs: number, toMs: number) => {
  const ms = Date.parse(iso);
  return ms >= fromMs && ms < toMs;
};
const byTime = (a: ArchiveEntry, b: ArchiveEntry) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The hour folders of the batch objects that can hold deliveries received in [fromMs, toMs). */
export const batchHoursFor = (fromMs: number, toMs: number): string[] => hoursBetween(fromMs - HOUR, toMs + BATCH_LAG_HOURS * HOUR);

/** The entries of a batch object's lines received in [fromMs, toMs), one per message key (a redelivery's second line is left out). */
function batchEntries(key: string, object: string, fromMs: number, toMs: number, seen: Set<string>): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  for (const { ref, archived, messageKey } of linesOfBatch(key, object)) {
    const { source, receivedAt } = archived.metadata;
    if (source === undefined || receivedAt === undefined || !inRange(receivedAt, fromMs, toMs)) continue;
    const once = messageKey ?? ref;
    if (seen.has(once)) continue;
    seen.add(once);
    out.push({ key: ref, source, receivedAt });
  }
  return out;
}

const bodyOf = (archived: { body: string; metadata: Record<string, string | undefined> } | undefined, entry: ArchiveEntry): ArchivedBody => {
  if (!archived) throw new Error(`${entry.key} is not in the archive any more`);
  const meta = archived.metadata;
  return { body: archived.body, source: meta.source ?? entry.source, via: meta.via, receivedAt: meta.receivedAt ?? entry.receivedAt, requestId: meta.requestId, integration: meta.integration };
};

/** The local runtime's archive folder (FsRawArchive): bodies with `.meta.json` siblings, and batch objects. */
export class FsArchiveReader implements ArchiveReader {
  constructor(private readonly root: string) {}

  async list(fromMs: number, toMs: number): Promise<ArchiveEntry[]> {
    const rawDir = join(this.root, 'raw');
    if (!existsSync(rawDir)) return [];
    const entries: ArchiveEntry[] = [];
    const sources = readdirSync(rawDir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== BATCH_FOLDER).map((d) => d.name);
    for (const source of sources) {
      for (const hour of hoursBetween(fromMs, toMs)) {
        const dir = join(rawDir, source, ...hour.split('/'));
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir)) {
          if (!name.endsWith('.json') || name.endsWith('.meta.json')) continue;
          const key = `raw/${source}/${hour}/${name}`;
          let receivedAt = receivedAtOfKey(key);
          if (receivedAt === null) receivedAt = (await this.meta(key)).receivedAt ?? null;
          if (receivedAt !== null && inRange(receivedAt, fromMs, toMs)) entries.push({ key, source, receivedAt });
        }
      }
    }
    const seen = new Set<string>();
    for (const hour of batchHoursFor(fromMs, toMs)) {
      const dir = join(rawDir, BATCH_FOLDER, ...hour.split('/'));
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort()) {
        const key = `raw/${BATCH_FOLDER}/${hour}/${name}`;
        entries.push(...batchEntries(key, await readFile(join(this.root, key), 'utf8'), fromMs, toMs, seen));
      }
    }
    return entries.sort(byTime);
  }

  private async meta(key: string): Promise<Record<string, string | undefined>> {
    try {
      return JSON.parse(await readFile(join(this.root, `${key}.meta.json`), 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  async read(entry: ArchiveEntry): Promise<ArchivedBody> {
    if (entry.key.includes('#')) return bodyOf(await new FsRawArchive(this.root).get(entry.key), entry);
    const [body, metadata] = await Promise.all([readFile(join(this.root, entry.key), 'utf8'), this.meta(entry.key)]);
    return bodyOf({ body, metadata }, entry);
  }
}

/** The AWS SDK is loaded only for an s3:// archive (it is most of a local run's start-up time otherwise). */
const s3Sdk = () => import('@aws-sdk/client-s3');

/** The S3 archive (S3RawArchive): object metadata holds source, via, receivedAt, requestId (lower-cased by S3). */
export class S3ArchiveReader implements ArchiveReader {
  private readonly base: string;
  constructor(private readonly s3: Pick<S3Client, 'send'>, private readonly bucket: string, prefix = '') {
    this.base = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
  }

  private async *keys(prefix: string, delimiter?: string): AsyncGenerator<{ key?: string; prefix?: string }> {
    const { ListObjectsV2Command } = await s3Sdk();
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, ...(delimiter ? { Delimiter: delimiter } : {}) }),
      );
      for (const p of res.CommonPrefixes ?? []) if (p.Prefix) yield { prefix: p.Prefix };
      for (const o of res.Contents ?? []) if (o.Key) yield { key: o.Key };
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  async list(fromMs: number, toMs: number): Promise<ArchiveEntry[]> {
    const sources: string[] = [];
    for await (const p of this.keys(`${this.base}raw/`, '/')) if (p.prefix) sources.push(p.prefix.slice(`${this.base}raw/`.length).replace(/\/$/, ''));
    const batches = sources.includes(BATCH_FOLDER);
    sources.splice(0, sources.length, ...sources.filter((x) => x !== BATCH_FOLDER));
    if (sources.length === 0) sources.push(...SOURCES);
    const entries: ArchiveEntry[] = [];
    for (const source of sources) {
      for (const hour of hoursBetween(fromMs, toMs)) {
        for await (const { key } of this.keys(`${this.base}raw/${source}/${hour}/`)) {
          if (!key || !key.endsWith('.json')) continue;
          const receivedAt = receivedAtOfKey(key);
          if (receivedAt !== null && inRange(receivedAt, fromMs, toMs)) entries.push({ key, source, receivedAt });
        }
      }
    }
    const seen = new Set<string>();
    if (batches) {
      const { GetObjectCommand } = await s3Sdk();
      for (const hour of batchHoursFor(fromMs, toMs)) {
        const keys: string[] = [];
        for await (const { key } of this.keys(`${this.base}raw/${BATCH_FOLDER}/${hour}/`)) if (key?.endsWith('.ndjson')) keys.push(key);
        for (const key of keys.sort()) {
          const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
          entries.push(...batchEntries(key, res.Body ? await res.Body.transformToString('utf8') : '', fromMs, toMs, seen));
        }
      }
    }
    return entries.sort(byTime);
  }

  async read(entry: ArchiveEntry): Promise<ArchivedBody> {
    if (entry.key.includes('#')) {
      const { S3RawArchive } = await import('../lambdas/adapters/s3/s3-raw-archive');
      return bodyOf(await new S3RawArchive(this.s3, this.bucket).get(entry.key), entry);
    }
    const { GetObjectCommand } = await s3Sdk();
    const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: entry.key }));
    const body = res.Body ? await res.Body.transformToString('utf8') : '';
    const meta = Object.fromEntries(Object.entries(res.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { body, source: meta.source ?? entry.source, via: meta.via, receivedAt: meta.receivedat ?? entry.receivedAt, requestId: meta.requestid, integration: meta.integration };
  }
}

export async function archiveReaderFor(location: string): Promise<ArchiveReader> {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (m) return new S3ArchiveReader(new (await s3Sdk()).S3Client({}), m[1]!, m[2] ?? '');
  return new FsArchiveReader(location);
}

// ---------------------------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------------------------

interface Args {
  from: string;
  to: string;
  candidate: string;
  current: string;
  archive: string;
  json: boolean;
  max: number;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function parseArgs(argv: readonly string[]): Args {
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      json = true;
      continue;
    }
    if (a === '--help' || a === '-h') throw new UsageError('');
    const m = /^--(from|to|candidate|current|archive|max)(?:=(.*))?$/.exec(a);
    if (!m) throw new UsageError(a.startsWith('-') ? `unknown option ${a}` : `unexpected argument ${a}`);
    const v = m[2] ?? argv[++i];
    if (v === undefined || v === '' || (m[2] === undefined && v.startsWith('--'))) throw new UsageError(`--${m[1]} needs a value`);
    values[m[1]!] = v;
  }
  for (const k of ['from', 'to', 'candidate']) if (!values[k]) throw new UsageError(`--${k} is required`);
  for (const k of ['from', 'to'] as const) {
    if (!ISO_WITH_OFFSET.test(values[k]!) || Number.isNaN(Date.parse(values[k]!))) throw new UsageError(`--${k}: expected an ISO 8601 time such as 2024-06-10T00:00:00Z`);
  }
  if (Date.parse(values.from!) >= Date.parse(values.to!)) throw new UsageError('--from must be before --to');
  const max = values.max === undefined ? 200 : Number(values.max);
  if (!Number.isInteger(max) || max < 0) throw new UsageError('--max: expected a whole number');
  return {
    from: new Date(Date.parse(values.from!)).toISOString(),
    to: new Date(Date.parse(values.to!)).toISOString(),
    candidate: values.candidate!,
    current: values.current ?? DEFAULT_CONFIG_PATH,
    archive: values.archive ?? DEFAULT_ARCHIVE,
    json,
    max,
  };
}

export interface ReplayIo {
  out(text: string): void;
  err(text: string): void;
  /** Milliseconds, for progress pacing (injected so tests are deterministic). */
  now(): number;
  reader?(location: string): ArchiveReader | Promise<ArchiveReader>;
}

const defaultIo: ReplayIo = { out: (t) => console.log(t), err: (t) => console.error(t), now: () => Date.now() };
const num = (v: number) => v.toLocaleString('en-US');

/** Bounded read-ahead that keeps the order: up to `depth` reads in flight. */
async function* readInOrder(reader: ArchiveReader, entries: readonly ArchiveEntry[], depth: number): AsyncGenerator<[ArchiveEntry, ArchivedBody | Error]> {
  const pending: Array<Promise<ArchivedBody | Error>> = [];
  let next = 0;
  const fill = () => {
    while (pending.length < depth && next < entries.length) pending.push(reader.read(entries[next++]!).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  };
  fill();
  for (let i = 0; i < entries.length; i++) {
    const result = await pending.shift()!;
    fill();
    yield [entries[i]!, result];
  }
}

export async function main(argv: readonly string[], io: ReplayIo = defaultIo): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) io.err(`replay: ${e.message}`);
    io.err(USAGE);
    return 2;
  }
  let current: PipelineConfig;
  let candidate: PipelineConfig;
  try {
    current = loadPipelineConfig(args.current);
    candidate = loadPipelineConfig(args.candidate);
  } catch (e) {
    io.err(`replay: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }

  const reader = await (io.reader ?? archiveReaderFor)(args.archive);
  const fromMs = Date.parse(args.from);
  const toMs = Date.parse(args.to);
  const entries = await reader.list(fromMs, toMs);
  const sims = { current: new Simulator(current, { traces: false }), candidate: new Simulator(candidate, { traces: false }) };
  const unreadable: string[] = [];

  const started = io.now();
  let lastProgress = started;
  let progressShown = false;
  let done = 0;
  const progress = () => `replayed ${num(done)} / ${num(entries.length)} bodies (${entries.length ? ((done / entries.length) * 100).toFixed(1) : '100.0'}%)`;
  for await (const [entry, read] of readInOrder(reader, entries, 16)) {
    if (read instanceof Error) unreadable.push(`${entry.key}: ${read.message}`);
    else {
      const source = (SOURCES as readonly string[]).includes(read.source) ? (read.source as SourceName) : null;
      if (source === null) unreadable.push(`${entry.key}: unknown source "${read.source}"`);
      else {
        const input = {
          at: read.receivedAt,
          source,
          body: read.body,
          archiveKey: entry.key,
          ...(read.via ? { via: read.via } : {}),
          ...(read.requestId ? { requestId: read.requestId } : {}),
          ...(read.integration ? { integration: read.integration } : {}),
        };
        sims.current.push(input);
        sims.candidate.push(input);
      }
    }
    done++;
    const t = io.now();
    if (done % 500 === 0 || t - lastProgress >= 1000) {
      io.err(progress());
      lastProgress = t;
      progressShown = true;
    }
  }
  if (progressShown && done % 500 !== 0) io.err(progress());

  const diff = diffSimulations(sims.current.result(args.to), sims.candidate.result(args.to));
  if (args.json) {
    io.out(JSON.stringify({ from: args.from, to: args.to, current: args.current, candidate: args.candidate, archive: args.archive, bodies: entries.length, unreadable, diff }, null, 2));
  } else {
    io.out(`Replay of ${num(entries.length)} archived bodies received ${args.from} .. ${args.to} (${args.archive})`);
    io.out(`current ${args.current} -> candidate ${args.candidate}`);
    io.out('');
    io.out(formatReplayReport(diff, { maxDifferences: args.max }));
    for (const u of unreadable) io.out(`unreadable: ${u}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`replay: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
