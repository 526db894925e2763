/**
 * The local runtime in its own process for the benchmark (as `npm start` runs it, so the load generator does not
 * share its event loop, and Alertmanager, also a separate process, is compared on equal terms). Started by
 * runtime-process.ts with an IPC channel; it measures through the runtime hooks:
 * - DynamoDB consumed capacity (CapacityMeter on the embedded client),
 * - SQS requests as AWS would bill them: SendMessageBatch calls as SqsAlertQueue packs them (10 entries, < 1 MiB)
 *   and 64 KB chunks, ReceiveMessage calls of up to 10 messages and DeleteMessageBatch calls per processor batch,
 * - processor invocations (= SQS event source batches), records and handler durations.
 */
// First, as in `npm start`: V8 favours a small heap (BENCH_FAVOR_MEMORY=0: V8's defaults).
// eslint-disable-next-line @typescript-eslint/no-require-imports
if (process.env.BENCH_FAVOR_MEMORY !== '0') require('../../lambdas/local/favor-memory');
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { startLocalRuntime, type LocalRuntime } from '../../lambdas/local/runtime';
import { CapacityMeter, type CapacityTotals } from './dynamodb-capacity';
import { scopedStore } from './processor-thread-hooks';

export interface ChildStart {
  config: PipelineConfig;
  inMemoryStore: boolean;
  timeScale?: number;
}

export interface QueueStats {
  /** Calls to the queue's send (one per accepted request body). */
  sendCalls: number;
  messages: number;
  messageBytes: number;
  /** SendMessageBatch calls (≤ 10 entries, < 1 MiB each), and billed requests (64 KB chunks). */
  sendBatchCalls: number;
  sendBilledRequests: number;
}

export interface ProcessorStats {
  invocations: number;
  records: number;
  failedRecords: number;
  durationsMs: number[];
  /** Records (queue messages) per invocation, in order. */
  recordsPerBatch: number[];
  receiveCalls: number;
  receiveBilledRequests: number;
  deleteCalls: number;
}

export type ChildRequest =
  | { id: number; cmd: 'drain'; timeoutMs: number }
  | { id: number; cmd: 'stats' }
  | { id: number; cmd: 'reset' }
  | { id: number; cmd: 'stop' };

const CHUNK = 64 * 1024;
const MAX_BATCH_BYTES = 1024 * 1024 - 16 * 1024;

function billedChunks(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / CHUNK));
}

/** SendMessageBatch calls and billed requests for one send of these bodies, packed the way SqsAlertQueue packs them. */
export function sqsSendCost(sizes: readonly number[]): { calls: number; billed: number } {
  let calls = 0;
  let billed = 0;
  let entries = 0;
  let bytes = 0;
  const flush = () => {
    if (entries === 0) return;
    calls += 1;
    billed += billedChunks(bytes);
    entries = 0;
    bytes = 0;
  };
  for (const size of sizes) {
    if (entries === 10 || (entries > 0 && bytes + size > MAX_BATCH_BYTES)) flush();
    entries += 1;
    bytes += size;
  }
  flush();
  return { calls, billed };
}

/** The sum of two meters' totals (the main thread's and the processor thread's), every number added key by key. */
export function addTotals(a: CapacityTotals, b: CapacityTotals | null): CapacityTotals {
  if (!b) return a;
  const add = (x: unknown, y: unknown): unknown => {
    if (typeof x === 'number' || typeof y === 'number') return Number(x ?? 0) + Number(y ?? 0);
    const out: Record<string, unknown> = { ...(x as Record<string, unknown> | undefined) };
    for (const [k, v] of Object.entries((y ?? {}) as Record<string, unknown>)) out[k] = add(out[k], v);
    return out;
  };
  return add(a, b) as CapacityTotals;
}

async function main(): Promise<void> {
  const start = await new Promise<ChildStart>((resolve) => process.once('message', (m) => resolve(m as ChildStart)));
  const dataDir = mkdtempSync(join(tmpdir(), 'alert-pipeline-bench-'));
  const meter = new CapacityMeter();
  const scope = new AsyncLocalStorage<string>();
  const queueStats = (): QueueStats => ({ sendCalls: 0, messages: 0, messageBytes: 0, sendBatchCalls: 0, sendBilledRequests: 0 });
  const processorStats = (): ProcessorStats => ({ invocations: 0, records: 0, failedRecords: 0, durationsMs: [], recordsPerBatch: [], receiveCalls: 0, receiveBilledRequests: 0, deleteCalls: 0 });
  let q = queueStats();
  let p = processorStats();
  let cpuAtReset = process.cpuUsage();

  // The processor on its own thread, as `npm start` runs it (BENCH_PROCESSOR_THREAD=0: in the main thread); its DynamoDB
  // calls are counted there by processor-thread-hooks.ts and added to this thread's at `stats`.
  const threaded = process.env.BENCH_PROCESSOR_THREAD !== '0';
  const rt: LocalRuntime = await startLocalRuntime({
    config: start.config,
    dataDir,
    port: 0,
    inMemoryStore: start.inMemoryStore,
    sweepIntervalMs: 0,
    ...(start.timeScale ? { timeScale: start.timeScale } : {}),
    ...(threaded ? { processorThread: { hooksModule: join(__dirname, 'processor-thread-hooks.ts') } } : {}),
    // BENCH_DYNAMO_THREAD=1: the embedded DynamoDB on a thread of its own (off by default; docs/performance.md).
    ...(process.env.BENCH_DYNAMO_THREAD === '1' ? { dynamoThread: true } : {}),
    hooks: {
      dynamoClient: (client) => meter.attach(client, () => scope.getStore()),
      // The processor's incident store: its DynamoDB calls are counted apart (scope `processor`, delivery markers in
      // `marker`), so opening an incident is measured without the page that follows (the page's handler has its own
      // store).
      ...(threaded ? {} : { processorStore: (store) => scopedStore(store, scope) }),
      processor: (handler) => async (event, ctx) => {
        const t0 = performance.now();
        const res = await handler(event, ctx);
        p.durationsMs.push(performance.now() - t0);
        p.invocations += 1;
        p.records += event.Records.length;
        p.recordsPerBatch.push(event.Records.length);
        p.failedRecords += res?.batchItemFailures?.length ?? 0;
        // The event source receives up to 10 messages per ReceiveMessage (billed per 64 KB chunk) and deletes the
        // successful ones with DeleteMessageBatch.
        for (let i = 0; i < event.Records.length; i += 10) {
          const group = event.Records.slice(i, i + 10);
          p.receiveCalls += 1;
          p.receiveBilledRequests += billedChunks(group.reduce((n, r) => n + Buffer.byteLength(r.body, 'utf8'), 0));
        }
        p.deleteCalls += Math.ceil((event.Records.length - (res?.batchItemFailures?.length ?? 0)) / 10);
        return res;
      },
    },
  });

  // Peak resident set once the runtime is up (start-up's share of the storm's peak).
  const startupRssBytes = process.resourceUsage().maxRSS * 1024;
  // Where the memory is at its largest (sampled every 100 ms): the JS heap, buffers outside it, the rest.
  const memoryPeak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(memoryPeak) as Array<keyof typeof memoryPeak>) memoryPeak[k] = Math.max(memoryPeak[k], m[k]);
  }, 100);
  sampler.unref();

  // Count what the ingest side sends (LocalAlertQueue uses sendGrouped; the DLQ path the plain send).
  const count = (bodies: Parameters<typeof rt.queue.send>[0]) => {
    const sizes = bodies.map((b) => Buffer.byteLength(typeof b === 'string' ? b : b.body, 'utf8'));
    const cost = sqsSendCost(sizes);
    q.sendCalls += 1;
    q.messages += bodies.length;
    q.messageBytes += sizes.reduce((a, b) => a + b, 0);
    q.sendBatchCalls += cost.calls;
    q.sendBilledRequests += cost.billed;
  };
  const send = rt.queue.send.bind(rt.queue);
  rt.queue.send = (bodies) => {
    count(bodies);
    return send(bodies);
  };
  const sendGrouped = rt.queue.sendGrouped.bind(rt.queue);
  rt.queue.sendGrouped = (bodies) => {
    count(bodies);
    return sendGrouped(bodies);
  };

  process.send!({ ready: true, url: rt.url, ingestToken: rt.ingestToken, apiToken: rt.apiToken, dataDir });

  process.on('message', (raw) => {
    const req = raw as ChildRequest;
    const reply = (body: Record<string, unknown>) => process.send!({ id: req.id, ...body });
    void (async () => {
      try {
        if (req.cmd === 'drain') {
          await rt.drain(req.timeoutMs);
          await rt.escalations?.idle();
          reply({ ok: true });
        } else if (req.cmd === 'stats') {
          reply({
            ok: true,
            capacity: addTotals(meter.snapshot(), rt.processorThread ? ((await rt.processorThread.measure('snapshot')) as CapacityTotals) : null),
            queue: q,
            processor: p,
            deadLetters: rt.deadLetterQueue.size,
            // Peak resident set of this process (the whole local runtime: HTTP, queue, processor, embedded DynamoDB).
            maxRssBytes: process.resourceUsage().maxRSS * 1024,
            startupRssBytes,
            memoryPeak,
            transitions: Object.fromEntries(rt.escalations?.transitions ?? []),
            cpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpuAtReset)),
          });
        } else if (req.cmd === 'reset') {
          meter.reset();
          await rt.processorThread?.measure('reset');
          q = queueStats();
          p = processorStats();
          cpuAtReset = process.cpuUsage();
          reply({ ok: true });
        } else if (req.cmd === 'stop') {
          await rt.stop();
          rmSync(dataDir, { recursive: true, force: true });
          process.send!({ id: req.id, ok: true }, () => process.exit(0));
        }
      } catch (err) {
        reply({ ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
