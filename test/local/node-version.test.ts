/** The supported Node.js versions (20.19+, 22, 24) and the start-up check every entry point runs first. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unsupportedNodeVersion } from '../../lambdas/local/node-version';

const ROOT = join(__dirname, '..', '..');

describe('unsupportedNodeVersion', () => {
  it.each(['20.19.0', 'v20.20.2', '21.7.3', '22.0.0', '22.23.5', '24.1.0', '26.0.0'])('%s is supported', (v) => {
    expect(unsupportedNodeVersion(v)).toBeNull();
  });
  it.each(['20.18.3', 'v20.0.0', '18.20.8', '16.20.2', '19.9.0'])('%s is refused with the supported versions named', (v) => {
    expect(unsupportedNodeVersion(v)).toMatch(/^Node\.js \d+\.\d+\.\d+ is not supported: use Node\.js 20\.19 or later \(22 or 24 recommended\)$/);
  });
  it('an unreadable version is refused too', () => {
    expect(unsupportedNodeVersion('nightly')).toMatch(/cannot read the Node\.js version "nightly"/);
  });
});

describe.each([
  ['npm start', join('lambdas', 'local', 'main.ts')],
  ['npm run golden', join('scripts', 'golden.ts')],
  ['npm run send-samples', join('scripts', 'send-samples.ts')],
])('%s on Node 20.18', (_name, entry) => {
  it('stops at start-up with exit code 1 and the supported versions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-pipeline-node-version-'));
    try {
      // Pretends to be Node 20.18.1 before the entry point loads.
      const preload = join(dir, 'old-node.cjs');
      writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '20.18.1' });\n");
      const r = spawnSync(process.execPath, ['--require', preload, '--import', 'tsx', join(ROOT, entry)], {
        cwd: ROOT, env: { ...process.env, DATA_DIR: join(dir, 'data'), PORT: '0', BASE_URL: 'http://127.0.0.1:9' }, encoding: 'utf8', timeout: 20_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('Node.js 20.18.1 is not supported: use Node.js 20.19 or later (22 or 24 recommended)');
      expect(r.stdout).not.toContain('running locally');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
