/**
 * Lambda bundle size and import time: every entry of the function table (lambdas/handlers/functions.ts) is built with esbuild the
 * way lib/constructs/defaults.ts `bundlingOptions` has CDK build it (ESM, createRequire banner, minified, target
 * node24, its module aliases, the pipeline config inlined as process.env.PIPELINE_CONFIG_JSON, the AWS SDK bundled),
 * then imported in a fresh `node` process (time of the `import()` itself, median of several runs). `sdk: 'external'`
 * builds the alternative, the SDK left to the Lambda runtime: it is imported from this repository's node_modules,
 * the closest local stand-in for the copy the runtime ships.
 * Each result also names the packages and modules that take the most bytes (esbuild's metafile).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_ALIASES, ESBUILD_TARGET } from '../../lib/constructs/defaults';
import { FUNCTION_NAMES, functionSpec, type FunctionName } from '../../lambdas/handlers/functions';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { median } from './stats';

const ROOT = join(__dirname, '..', '..');
const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export type SdkMode = 'bundled' | 'external';

export interface BundleResult {
  name: string;
  /** How the AWS SDK was built: inside the bundle, or imported from node_modules (the runtime's copy in AWS). */
  sdk: SdkMode;
  bytes: number;
  gzipBytes: number;
  importMs: number;
  buildMs: number;
  /** The largest contributors to the minified bytes: npm packages by name, our code by folder under lambdas/. */
  top: Array<{ name: string; bytes: number }>;
}

/** One entry per handler file (several functions may share a file), with the function names that use it. */
export function handlerEntries(): Array<{ entry: string; functions: FunctionName[] }> {
  const byEntry = new Map<string, FunctionName[]>();
  for (const name of FUNCTION_NAMES) byEntry.set(functionSpec(name).entry, [...(byEntry.get(functionSpec(name).entry) ?? []), name]);
  return [...byEntry].sort(([a], [b]) => a.localeCompare(b)).map(([entry, functions]) => ({ entry: join(ROOT, entry), functions }));
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

/** Bytes in the output per npm package (`@scope/name`) or per folder of our code (`core/rules`), largest first. */
export function topContributors(metafile: Metafile, count = 6): Array<{ name: string; bytes: number }> {
  const groups = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const name = pkg ? pkg[1]! : file.replace(/^.*?lambdas\//, '').replace(/\/[^/]+$/, '');
      groups.set(name, (groups.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...groups].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, count);
}

export interface MeasureOptions {
  runs?: number;
  /** `bundled` (default): as lib/constructs/defaults.ts builds every function; `external`: the SDK left to the runtime. */
  sdk?: SdkMode;
  /** Only these handler files (base names, e.g. `process-alerts`). */
  only?: readonly string[];
}

export async function measureBundles(config: PipelineConfig, options: MeasureOptions = {}): Promise<BundleResult[]> {
  // Inside the repository, so an external SDK resolves from its node_modules (.tmp/ is git-ignored).
  const out = mkdtempSync(join(ROOT, '.tmp', 'bench-bundles-'));
  try {
    const results: BundleResult[] = [];
    for (const { entry } of handlerEntries()) {
      const name = basename(entry, '.ts');
      if (options.only && !options.only.includes(name)) continue;
      const sdk: SdkMode = options.sdk ?? 'bundled';
      const outfile = join(out, `${name}.mjs`);
      const t0 = performance.now();
      const built = await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: ESBUILD_TARGET,
        mainFields: ['module', 'main'],
        banner: { js: BANNER },
        minify: true,
        metafile: true,
        external: sdk === 'external' ? ['@aws-sdk/*'] : [],
        alias: sdk === 'external' ? {} : { ...BUNDLE_ALIASES },
        logLevel: 'silent',
        define: { [`process.env.${ENV.pipelineConfigJson}`]: JSON.stringify(JSON.stringify(config)) },
      });
      const buildMs = performance.now() - t0;
      const code = readFileSync(outfile);
      results.push({
        name, sdk, bytes: code.length, gzipBytes: gzipSync(code).length, importMs: importTimeMs(outfile, options.runs ?? 7), buildMs,
        top: topContributors(built.metafile),
      });
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
