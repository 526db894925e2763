/** Runs `npm start`'s entry point as a child process (for kill -9 tests) and resolves once it serves. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export const SPAWN_TOKENS = { api: 'api-token-for-test', ingest: 'ingest-token-for-test' } as const;

export async function spawnRuntime(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  // `node --import tsx` (not the tsx CLI, which runs the program in a grandchild): the kill must hit the runtime itself.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'lambdas', 'local', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, API_TOKEN: SPAWN_TOKENS.api, INGEST_TOKEN: SPAWN_TOKENS.ingest, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  return { child, url };
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}
