/**
 * No secret in the console's bundle: the build reads no environment variable (Vite exposes only CONSOLE_PUBLIC_*,
 * and the console reads its settings from /config.json at run time), ships no source map, and carries no key-like
 * string. The build runs here with canary secrets in its environment and every built file is searched for them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole } from '../../lib/console/build-console';

const CANARIES = {
  API_TOKEN: 'canary-api-token-5b0c7e',
  INGEST_TOKEN: 'canary-ingest-token-9d1f2a',
  VITE_API_TOKEN: 'canary-vite-token-3e8a41',
  AWS_SECRET_ACCESS_KEY: 'canary-aws-secret-77c2d9',
  CHANNEL_SECRET_PLATFORM_SLACK: 'https://hooks.slack.com/services/T000/B000/canary',
};

const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('the console bundle', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'console-bundle-'));
    const saved = { ...process.env };
    Object.assign(process.env, CANARIES);
    try {
      buildConsole(out);
    } finally {
      for (const k of Object.keys(CANARIES)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('holds no secret from the build environment, no source map and no key-like string', () => {
    const built = files(out);
    expect(built.some((f) => f.endsWith('index.html'))).toBe(true);
    expect(built.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of built) {
      const text = readFileSync(f, 'utf8');
      for (const [name, value] of Object.entries(CANARIES)) expect([f, name, text.includes(value)]).toEqual([f, name, false]);
      expect([f, /AKIA[0-9A-Z]{16}/.test(text)]).toEqual([f, false]);
      expect([f, /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)]).toEqual([f, false]);
      expect([f, /hooks\.slack\.com\/services\/T/.test(text)]).toEqual([f, false]);
    }
  });
});
