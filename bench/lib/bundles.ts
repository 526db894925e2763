/**
 * Lambda bundle size and import time: every entry of the function table (lambdas/handlers/functions.ts) is built with esbuild the
 * way lib/constructs/defaults.ts `bundlingOptions` has CDK build it (ESM, createRequire banner, AWS SDK bundled,
 * minified, target node24, the pipeline config inlined as process.env.PIPELINE_CONFIG_JSON), then imported in a
 * fresh `node` process (time of the `import()` itself, median of several runs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ESBUILD_TARGET } from '../../lib/constructs/defaults';
import { FUNCTION_NAMES, functionSpec } from '../../lambdas/handlers/functions';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { median } from './stats';

const ROOT = join(__dirname, '..', '..');
const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export interface BundleResult {
  name: string;
  bytes: number;
  gzipBytes: number;
  importMs: number;
  buildMs: number;
}

export function handlerEntries(): string[] {
  return [...new Set(FUNCTION_NAMES.map((name) => functionSpec(name).entry))].sort().map((entry) => join(ROOT, entry));
}

function importTimeMs(file: string, runs: number): number {
  const code = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t)); process.exit(0);`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 30_000,
    });
    const ms = Number(res.stdout);
    if (res.status !== 0 || !Number.isFinite(ms)) throw new Error(`importing ${basename(file)} failed: ${res.stderr.slice(0, 500)}`);
    times.push(ms);
  }
  return median(times);
}

export async function measureBundles(config: PipelineConfig, runs = 7): Promise<BundleResult[]> {
  const out = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const results: BundleResult[] = [];
    for (const entry of handlerEntries()) {
      const name = basename(entry, '.ts');
      const outfile = join(out, `${name}.mjs`);
      const t0 = performance.now();
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: ESBUILD_TARGET,
        mainFields: ['module', 'main'],
        banner: { js: BANNER },
        minify: true,
        logLevel: 'silent',
        define: { [`process.env.${ENV.pipelineConfigJson}`]: JSON.stringify(JSON.stringify(config)) },
      });
      const buildMs = performance.now() - t0;
      const code = readFileSync(outfile);
      results.push({ name, bytes: code.length, gzipBytes: gzipSync(code).length, importMs: importTimeMs(outfile, runs), buildMs });
    }
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** `node -e 0` wall time in a fresh process (the floor every import time sits on). */
export function nodeStartMs(runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - t0);
  }
  return median(times);
}
