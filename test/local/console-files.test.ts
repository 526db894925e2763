/**
 * The local runtime serves the web console at `/` (its Vite build), `/config.json` ({"auth":{"kind":"token"}}) and
 * the hashed assets, and nothing else from the disk; the API's 404s stay JSON.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureConsoleBuilt } from '../../lib/console/build-console';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

describe('the web console in the local runtime', () => {
  let rt: TestRuntime;
  let dist: string;
  beforeAll(async () => {
    dist = ensureConsoleBuilt().dir;
    rt = await startTestRuntime();
  }, 120_000);
  afterAll(async () => rt?.cleanup());

  it('serves index.html at / with a same-origin script policy, and its assets', async () => {
    const res = await fetch(`${rt.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<div id="root"></div>');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${rt.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect(readdirSync(join(dist, 'assets')).length).toBeGreaterThan(0);
  });

  it('answers /config.json for token login', async () => {
    const res = await fetch(`${rt.url}/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ auth: { kind: 'token' } });
  });

  it('serves no other file: the build stamp, traversal and unknown paths are 404; API 404s stay JSON', async () => {
    for (const path of ['/.inputs-hash', '/assets/..%2F.inputs-hash', '/assets/../../package.json', '/package.json', '/web/src/main.tsx', '/nope']) {
      expect([path, (await fetch(`${rt.url}${path}`)).status]).toEqual([path, 404]);
    }
    const api = await fetch(`${rt.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as any).error.code).toBe('not_found');
  });

  it('says how to build the console when it is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
    mkdirSync(join(empty, 'assets'));
    writeFileSync(join(empty, 'assets', 'x.js'), 'x');
    const bare = await startTestRuntime({ consoleDir: join(empty, 'missing') });
    try {
      const res = await fetch(`${bare.url}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:console');
    } finally {
      await bare.cleanup();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
