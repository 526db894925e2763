/**
 * A model of the time from an ingest request to the page in AWS, for one new alert, built from the sequence of AWS
 * calls the code makes on that path (counted on the local runtime: the processor's calls to open an incident, the
 * page's reads before its send) and per-call latencies taken from what AWS publishes or states (sources in
 * `LATENCIES`), plus cold starts priced from the measured bundle import times. Sums of medians give the p50; the
 * p99 adds the independent tails (square root of the sum of squared p99 - p50 gaps) and, when more than 1 % of the
 * path's invocations start cold, the slowest cold start of the path (all three when every function starts cold). A model, not a measurement: docs/performance.md
 * says which figure dominates and what it assumes.
 */

export interface Latency {
  p50: number;
  p99: number;
  source: string;
}

/** Per-call latencies in ms, us-east-1, same-Region calls from a warm Lambda function. */
export const LATENCIES = {
  httpApi: { p50: 10, p99: 30, source: 'API Gateway HTTP API overhead (AWS positions HTTP APIs as the low-latency option; no published figure: assumed)' },
  s3Put: { p50: 30, p99: 200, source: 'S3 PutObject of a small object (assumed; the S3 performance guidelines discuss 100–200 ms first-byte latencies for small objects, taken as the tail)' },
  sqsSend: { p50: 10, p99: 50, source: 'SQS SendMessageBatch within the Region (assumed; AWS publishes no latency figure)' },
  sqsPoll: { p50: 20, p99: 100, source: 'Lambda event source mapping, long polling: a receive returns as soon as a message is there (assumed figure)' },
  dynamo: { p50: 5, p99: 15, source: 'DynamoDB single-item read or write (AWS states single-digit millisecond latency; p99 assumed)' },
  dynamoBatch: { p50: 8, p99: 25, source: 'DynamoDB BatchWriteItem of a few items (assumed from the single-item figure)' },
  asyncInvoke: { p50: 30, p99: 150, source: 'Lambda event (asynchronous) invoke through its internal queue (assumed)' },
  channel: { p50: 150, p99: 600, source: 'the receiving service answering an HTTPS POST (Slack, Teams, a webhook): not AWS; assumed' },
} satisfies Record<string, Latency>;

/** Node.js 24 arm64 runtime start without code (maxday/lambda-perf daily benchmark, 2026: 114–125 ms). */
export const RUNTIME_INIT_MS = 120;

export interface PathStep {
  stage: 'ingest' | 'queue' | 'processor' | 'page';
  what: string;
  latency: Latency;
  count: number;
}

export interface ModelInput {
  /** The processor's batching window (s): a lone alert waits all of it. */
  batchWindowSeconds: number;
  /** The processor's DynamoDB calls to open an incident (measured), besides the delivery-marker read. */
  openCalls: number;
  /** Import time (ms) of each function's bundle in a fresh process (measured). */
  importMs: { ingest: number; processor: number; page: number };
  /** Share of invocations that start cold (0..1). */
  coldShare: number;
}

export interface ModelResult {
  p50: number;
  p99: number;
  steps: Array<PathStep & { p50Total: number }>;
  coldMs: number;
  byStage: Record<PathStep['stage'], number>;
}

/**
 * The processor's archive write (one PutObject per batch, core/raw-batch.ts) starts once the delivery markers are
 * read and runs while the batch reads the latest heads; nothing is written before it ends. On the path it costs
 * what it takes beyond that read.
 */
const archiveExcess: Latency = {
  p50: Math.max(0, LATENCIES.s3Put.p50 - LATENCIES.dynamo.p50),
  p99: Math.max(0, LATENCIES.s3Put.p99 - LATENCIES.dynamo.p99),
  source: `${LATENCIES.s3Put.source}, less the heads Query it overlaps`,
};

export function pathOf(input: ModelInput): PathStep[] {
  const window: Latency = { p50: input.batchWindowSeconds * 1000, p99: input.batchWindowSeconds * 1000, source: 'the batching window: a lone alert waits all of it' };
  return [
    { stage: 'ingest', what: 'HTTP API to the ingest function', latency: LATENCIES.httpApi, count: 1 },
    { stage: 'ingest', what: 'enqueue (SQS SendMessageBatch)', latency: LATENCIES.sqsSend, count: 1 },
    { stage: 'queue', what: 'event source poll', latency: LATENCIES.sqsPoll, count: 1 },
    { stage: 'queue', what: 'batching window', latency: window, count: 1 },
    { stage: 'processor', what: 'delivery marker read (GetItem)', latency: LATENCIES.dynamo, count: 1 },
    { stage: 'processor', what: 'latest heads (BatchGetItem of first heads; Query for a known fingerprint)', latency: LATENCIES.dynamo, count: 1 },
    { stage: 'processor', what: 'archive the batch\'s raw bodies (S3 PutObject, one per batch; started with the heads read: its excess over it)', latency: archiveExcess, count: 1 },
    { stage: 'processor', what: 'alert-log entry (BatchWriteItem)', latency: LATENCIES.dynamoBatch, count: 1 },
    { stage: 'processor', what: 'head with its opening events (conditional PutItem)', latency: LATENCIES.dynamo, count: Math.max(1, input.openCalls - 2) },
    { stage: 'processor', what: 'inline page (Lambda event invoke)', latency: LATENCIES.asyncInvoke, count: 1 },
    // The inline page carries the incident: the rate counter and the re-read before the send go out together.
    { stage: 'page', what: 'channel rate counter and the re-read before the send, at once', latency: LATENCIES.dynamo, count: 1 },
    { stage: 'page', what: 'the channel answers', latency: LATENCIES.channel, count: 1 },
  ];
}

export function modelTimeToPage(input: ModelInput): ModelResult {
  const steps = pathOf(input).map((s) => ({ ...s, p50Total: s.latency.p50 * s.count }));
  const p50Warm = steps.reduce((n, s) => n + s.p50Total, 0);
  const tail = Math.sqrt(steps.reduce((n, s) => n + s.count * (s.latency.p99 - s.latency.p50) ** 2, 0));
  const colds = [input.importMs.ingest, input.importMs.processor, input.importMs.page].map((ms) => RUNTIME_INIT_MS + ms);
  const coldMs = Math.max(...colds);
  // Three functions on the path: the chance that at least one starts cold.
  const anyCold = 1 - (1 - input.coldShare) ** 3;
  const byStage = { ingest: 0, queue: 0, processor: 0, page: 0 };
  for (const s of steps) byStage[s.stage] += s.p50Total;
  // Every function cold (after a quiet period): the three cold starts add up; otherwise the p99 meets one of them.
  const allCold = input.coldShare >= 0.5 ? colds.reduce((a, b) => a + b, 0) : 0;
  return {
    p50: p50Warm + allCold,
    p99: p50Warm + tail + (allCold || (anyCold >= 0.01 ? coldMs : 0)),
    steps,
    coldMs,
    byStage,
  };
}
