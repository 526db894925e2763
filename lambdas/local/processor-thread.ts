/** The thread died while it held a request (the request may or may not have taken effect). */
const THREAD_GONE = 'ProcessorThreadGone';
/** Runs of an inline page whose thread died, in all (a Lambda event invoke is tried three times). */
const PAGE_RUNS = 3;

/**
 * Runs the queue processor on a worker thread (processor-worker.ts): the queue consumer on the main thread hands it
 * each batch and gets the batch response back, so the consumer's guarantees stay where they were (a message is
 * deleted only after its batch succeeded; a failed batch, a thread that died or a stop in the middle of a batch
 * leaves its messages to be delivered again). The worker's calls to the escalation runner and the dead-letter queue
 * come back here as messages. A thread that died is started again for the next batch.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { DeadLetters, EscalationTransport } from '../core/ports';
import { TransientError } from '../core/errors';

export interface ProcessorThreadData {
  config: PipelineConfig;
  dynamoEndpoint: string;
  table: string;
  dataDir: string;
  publicBaseUrl: string;
  /** A module exporting `processorThreadHooks()` (bench/: counting DynamoDB calls in this thread). */
  hooksModule?: string;
  /** What the inline page needs here (`page`): the action link key and the channel secrets (file and environment). */
  actionLinkKey: string;
  channelSecrets: Record<string, unknown>;
  channelEnvironment: Record<string, string | undefined>;
}

export type FromMain =
  | { kind: 'batch'; id: number; event: unknown; timeoutMs: number }
  | { kind: 'measure'; id: number; command: string }
  | { kind: 'page'; id: number; state: unknown }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string; name: string };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'call'; id: number; target: 'transport' | 'deadLetters'; method: string; args: unknown[] }
  | { kind: 'done'; id: number; ok: true; value: unknown }
  | { kind: 'done'; id: number; ok: false; error: string; name: string };

export class ProcessorThread {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private closed = false;
  /** Inline pages this thread ran to the end (tests, bench). */
  pagesRun = 0;

  constructor(private readonly data: ProcessorThreadData, private readonly services: { transport: EscalationTransport; deadLetters: DeadLetters }) {}

  /** Starts the thread now (it also starts on the first batch). */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    // The thread runs TypeScript like the main process (tsx), also under jest, which compiles only its own thread.
    const worker = new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'processor-worker.ts'))});`, {
      eval: true,
      workerData: this.data,
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'ready') resolve();
        else if (m.kind === 'done') this.settle(m.id, m);
        else void this.serve(worker, m);
      });
      const gone = (err: Error) => {
        reject(err);
        if (this.worker === worker) {
          this.worker = null;
          this.ready = null;
        }
        for (const [id] of this.pending) this.settle(id, { ok: false, error: err.message, name: err.name === THREAD_GONE ? THREAD_GONE : 'TransientError' });
      };
      worker.once('error', gone);
      worker.once('exit', (code) => gone(Object.assign(new TransientError(`the processor thread exited (code ${code})`), { name: THREAD_GONE })));
    });
    return this.ready;
  }

  /** Processes one SQS event on the thread: its batch response, or the error the handler threw. */
  async handle(event: SQSEvent, timeoutMs: number): Promise<SQSBatchResponse | void> {
    return (await this.request({ kind: 'batch', event, timeoutMs })) as SQSBatchResponse | void;
  }

  /**
   * Runs an inline page (the escalation-step handler, as Lambda's event invoke runs the Page function) on the thread,
   * apart from the thread that ingests, as it runs apart in AWS. A page whose thread died runs again on a new thread
   * (at least once, like an event invoke's retries; its re-read before the send skips a step already recorded).
   */
  async page(state: unknown): Promise<unknown> {
    for (let run = 1; ; run++) {
      try {
        const next = await this.request({ kind: 'page', state });
        this.pagesRun++;
        return next;
      } catch (err) {
        if (run >= PAGE_RUNS || (err as Error).name !== THREAD_GONE) throw err;
      }
    }
  }

  /** Asks the hooks module of the thread for its figures (bench/). */
  measure(command: string): Promise<unknown> {
    return this.request({ kind: 'measure', command });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private async request(message: { kind: 'batch'; event: unknown; timeoutMs: number } | { kind: 'measure'; command: string } | { kind: 'page'; state: unknown }): Promise<unknown> {
    if (this.closed) throw new TransientError('the processor thread is stopped');
    await this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ ...message, id } satisfies FromMain);
    });
  }

  private settle(id: number, m: { ok: true; value: unknown } | { ok: false; error: string; name: string }): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (!p) return;
    if (m.ok) p.resolve(m.value);
    else p.reject(Object.assign(new Error(m.error), { name: m.name }));
  }

  /** A call of the worker to the escalation runner or the dead-letter queue, answered with its outcome. */
  private async serve(worker: Worker, m: Extract<FromWorker, { kind: 'call' }>): Promise<void> {
    let reply: FromMain;
    try {
      const target = this.services[m.target] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      const value = await target[m.method]!.apply(this.services[m.target], m.args);
      reply = { kind: 'reply', id: m.id, ok: true, value: value ?? null };
    } catch (err) {
      reply = { kind: 'reply', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' };
    }
    if (this.worker === worker) worker.postMessage(reply);
  }
}
