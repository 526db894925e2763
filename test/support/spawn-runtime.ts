/**
 * Runs `npm start`'s entry point as a child process (for kill -9 tests and tests of the runtime as a user starts it)
 * and resolves once it serves. No jest setup file runs in the child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export const SPAWN_TOKENS = { api: 'api-token-for-test', ingest: 'ingest-token-for-test' } as const;

export interface SpawnedRuntime {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Started as `npm start` in its own process group (stopRuntime signals the group). */
  npmStart?: boolean;
}

/**
 * `how: 'node'` (default) runs `node --import tsx main.ts` (not the tsx CLI, which runs the program in a grandchild):
 * a kill must hit the runtime itself. `how: 'npm-start'` runs `npm start` exactly as a user does, in its own process
 * group.
 */
export async function spawnRuntime(dataDir: string, env: Record<string, string> = {}, how: 'node' | 'npm-start' = 'node'): Promise<SpawnedRuntime> {
  const childEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, API_TOKEN: SPAWN_TOKENS.api, INGEST_TOKEN: SPAWN_TOKENS.ingest, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env };
  const child = how === 'npm-start'
    ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'lambdas', 'local', 'main.ts')], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => (out += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /running locally at (http:\/\/localhost:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code}: ${out}`)));
  });
  return { child, url, output: () => out, npmStart: how === 'npm-start' };
}

/** Stops a spawned runtime (SIGTERM; to its process group when started with npm start) and resolves once it has exited. */
export async function stopRuntime(runtime: { child: ChildProcess; npmStart?: boolean }): Promise<void> {
  if (runtime.npmStart && runtime.child.pid && runtime.child.exitCode === null) {
    try {
      process.kill(-runtime.child.pid, 'SIGTERM');
    } catch {
      runtime.child.kill('SIGTERM');
    }
  } else runtime.child.kill('SIGTERM');
  await exited(runtime.child);
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** GET on the human API of a spawned runtime; a non-200 fails with the status, the body and the runtime's output. */
export async function apiGet(runtime: { url: string; output: () => string }, path: string): Promise<any> {
  const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${SPAWN_TOKENS.api}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body}\n${runtime.output().slice(-4000)}`);
  return JSON.parse(body);
}

/**
 * Waits until the runtime's queue is empty (or `maxWaitMs` passed), then `settleMs` more (pages of the last batch),
 * then lists every incident, page by page.
 */
export async function drainAndListIncidents(runtime: { url: string; output: () => string }, maxWaitMs = 30_000, settleMs = 0): Promise<any[]> {
  for (const start = Date.now(); Date.now() - start < maxWaitMs;) {
    const health = await (await fetch(`${runtime.url}/healthz`, { headers: { authorization: `Bearer ${SPAWN_TOKENS.api}` } })).json() as { queued: number };
    if (health.queued === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, settleMs));
  const incidents: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await apiGet(runtime, `/api/incidents?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    incidents.push(...page.incidents);
    cursor = page.nextCursor;
  } while (cursor);
  return incidents;
}
