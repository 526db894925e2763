/** Starts the local runtime on a free port with a fresh data directory, for end-to-end tests over HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../lambdas/local/runtime';
import { testConfig } from './builders';

export interface TestRuntime extends LocalRuntime {
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  get(path: string, token?: string | null): Promise<{ status: number; body: any }>;
  apiPost(path: string, body?: unknown): Promise<{ status: number; body: any }>;
  cleanup(): Promise<void>;
}

export async function startTestRuntime(over: Partial<LocalRuntimeOptions> = {}): Promise<TestRuntime> {
  const dataDir = over.dataDir ?? mkdtempSync(join(tmpdir(), 'alert-pipeline-'));
  const rt = await startLocalRuntime({ config: testConfig, dataDir, port: 0, inMemoryStore: true, retryDelayMs: 50, ...over });
  const parse = async (res: Response) => {
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  };
  return Object.assign(rt, {
    post: async (path: string, body: unknown, headers: Record<string, string> = {}) =>
      parse(await fetch(`${rt.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })),
    get: async (path: string, token: string | null = rt.apiToken) =>
      parse(await fetch(`${rt.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })),
    apiPost: async (path: string, body?: unknown) =>
      parse(await fetch(`${rt.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${rt.apiToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })),
    cleanup: async () => {
      await rt.stop();
      if (!over.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
