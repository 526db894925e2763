/** Starts bench/lib/runtime-child.ts in its own Node process (`node --import tsx`) and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboxEntry } from '../../lambdas/local/outbox';
import type { CapacityTotals } from './dynamodb-capacity';
import { awsLineBytes } from './log-bill';
import type { ChildStart, ProcessorStats, QueueStats } from './runtime-child';

const ROOT = join(__dirname, '..', '..');

export interface ChildStats {
  capacity: CapacityTotals;
  queue: QueueStats;
  processor: ProcessorStats;
  deadLetters: number;
  /** Peak resident set size of the runtime's process since it started. */
  maxRssBytes: number;
  /** Peak resident set size when the runtime had started (before any load). */
  startupRssBytes: number;
  /** The largest value of each part of process.memoryUsage() sampled every 100 ms. */
  memoryPeak: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  transitions: Record<string, number>;
  /** CPU time of the runtime's process (every thread: user + system) since the last reset, ms. */
  cpuMs: number;
}

export interface RuntimeProcess {
  url: string;
  ingestToken: string;
  apiToken: string;
  dataDir: string;
  /** Bytes the runtime wrote to stdout (its JSON logs) since the last reset. */
  logBytes(): number;
  /** Lines written to stdout since the last reset, and their bytes as CloudWatch would store them (log-bill.ts). */
  logLines(): { lines: number; awsBytes: number };
  drain(timeoutMs?: number): Promise<void>;
  stats(): Promise<ChildStats>;
  reset(): Promise<void>;
  outbox(): OutboxEntry[];
  stop(): Promise<void>;
}

export async function startRuntimeProcess(start: ChildStart, logLevel = 'WARN'): Promise<RuntimeProcess> {
  const child: ChildProcess = fork(join(__dirname, 'runtime-child.ts'), [], {
    cwd: ROOT,
    execArgv: [
      '--import', 'tsx',
      ...(process.env.BENCH_CHILD_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_PROFILE}`] : []),
      // Extra Node.js flags for the runtime's process (e.g. V8 heap limits), space-separated.
      ...(process.env.BENCH_CHILD_NODE_ARGS ? process.env.BENCH_CHILD_NODE_ARGS.split(' ').filter(Boolean) : []),
    ],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: logLevel, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let logBytes = 0;
  let lines = 0;
  let awsBytes = 0;
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    logBytes += d.length;
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      if (!line) continue;
      lines++;
      awsBytes += awsLineBytes(line);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-4000)));
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  let nextId = 1;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`runtime process exited with ${code}: ${stderr}`)));
    child.on('message', (m: Record<string, unknown>) => {
      if (m.ready) resolve(m);
      else if (typeof m.id === 'number') pending.get(m.id)?.(m);
    });
  });
  child.send(start);
  const info = await ready;
  const call = (cmd: string, extra: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (m) => {
        pending.delete(id);
        if (m.ok) resolve(m);
        else reject(new Error(String(m.error)));
      });
      child.send({ id, cmd, ...extra });
    });
  const dataDir = String(info.dataDir);
  return {
    url: String(info.url),
    ingestToken: String(info.ingestToken),
    apiToken: String(info.apiToken),
    dataDir,
    logBytes: () => logBytes,
    logLines: () => ({ lines, awsBytes }),
    drain: async (timeoutMs = 240_000) => void (await call('drain', { timeoutMs })),
    stats: async () => (await call('stats')) as unknown as ChildStats,
    reset: async () => {
      await call('reset');
      logBytes = 0;
      lines = 0;
      awsBytes = 0;
    },
    outbox: () => {
      const file = join(dataDir, 'outbox.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxEntry);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      await call('stop').catch(() => child.kill('SIGKILL'));
      await exited;
    },
  };
}
