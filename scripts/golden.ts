/**
 * Golden cases: runs every case of the golden-case files through the pipeline config and reports ✓/✗ per case.
 *
 *   npm run golden -- [files or dirs ...] [--config config/pipeline.yaml] [--verbose]
 *
 * Default: every *.yaml / *.yml under config/golden/. A file's own `config:` (relative to the file) wins over
 * --config, which is the default for files without one. Exit 0 when every case passes, 1 when one fails (or a file
 * or config is invalid), 2 on usage errors. Format: docs/golden-and-replay.md.
 */
import '../lambdas/local/check-node-version'; // first: stops with a clear message on an unsupported Node.js
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadPipelineConfig } from '../lib/config/load-pipeline-config';
import type { PipelineConfig } from '../lambdas/core/config/pipeline-config.schema';
import type { Rules } from '../lambdas/core/evaluate';
import { compileRules } from '../lambdas/core/rules/compile';
import { checkGoldenFile, parseGoldenFileText, type GoldenCaseResult } from '../lambdas/core/simulate/golden';
import type { SimulationResult } from '../lambdas/core/simulate/simulate';

export const DEFAULT_GOLDEN_DIR = 'config/golden';

const USAGE = 'usage: npm run golden -- [files or dirs ...] [--config config/pipeline.yaml] [--verbose]';

class UsageError extends Error {}

interface Args {
  paths: string[];
  config: string;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { paths: [], config: DEFAULT_CONFIG_PATH, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new UsageError('--config needs a file');
      args.config = v;
    } else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else if (a === '--help' || a === '-h') throw new UsageError('');
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else args.paths.push(a);
  }
  if (args.paths.length === 0) args.paths.push(DEFAULT_GOLDEN_DIR);
  return args;
}

function caseFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    if (statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const indent = (text: string, by: string) => text.split('\n').map((l) => `${by}${l}`).join('\n');

function decisions(sim: SimulationResult): string[] {
  const lines = sim.alerts.map((a, i) =>
    `${i + 1}. ${a.at} ${a.deliveryKey}: ${a.severity} -> ${a.route.service}/${a.route.escalationPolicy ?? 'no policy'} (rule ${a.route.rule}), ` +
    `${a.outcome}${a.incident ? ` ${a.incident}` : ''}${a.suppression ? `, suppressed (${a.suppression.reason})` : ''}, pages ${a.pages ? 'yes' : 'no'}` +
    `; tags ${Object.entries(a.tags).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  );
  for (const inc of sim.incidents) {
    lines.push(`${inc.label} ${inc.status}, ${inc.alertCount} alert${inc.alertCount === 1 ? '' : 's'}, ${inc.severity}, ${inc.service}${inc.pages ? ', paged' : ''}${inc.suppressed ? ', suppressed' : ''}: ${inc.title}`);
  }
  for (const r of sim.rejected) lines.push(`delivery ${r.deliveryIndex + 1} rejected: ${r.error}`);
  return lines;
}

export function main(argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
  let args: Args;
  let files: string[];
  try {
    args = parseArgs(argv);
    files = caseFiles(args.paths);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) err(`golden: ${e.message}`);
    err(USAGE);
    return 2;
  }
  if (files.length === 0) {
    err(`golden: no *.yaml case files under ${args.paths.join(', ')}`);
    return 1;
  }

  const configs = new Map<string, { config: PipelineConfig; rules: Rules } | Error>();
  const configFor = (file: string) => {
    const key = resolve(file);
    let entry = configs.get(key);
    if (!entry) {
      try {
        const config = loadPipelineConfig(file);
        entry = { config, rules: compileRules(config) };
      } catch (e) {
        entry = e instanceof Error ? e : new Error(String(e));
      }
      configs.set(key, entry);
    }
    return entry;
  };

  let passed = 0;
  let failed = 0;
  let badFiles = 0;
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let results: GoldenCaseResult[];
    let configShown: string;
    try {
      const golden = parseGoldenFileText(readFileSync(file, 'utf8'), shown);
      const configPath = golden.config ? resolve(dirname(file), golden.config) : args.config;
      configShown = relative(process.cwd(), configPath) || configPath;
      const entry = configFor(configPath);
      if (entry instanceof Error) {
        out(`✗ ${shown} (config ${configShown})`);
        out(indent(errorText(entry), '    '));
        badFiles++;
        continue;
      }
      results = checkGoldenFile(entry.config, golden, { rules: entry.rules }).cases;
    } catch (e) {
      out(`✗ ${shown}`);
      out(indent(errorText(e), '    '));
      badFiles++;
      continue;
    }
    out(`${shown} (config ${configShown})`);
    for (const r of results) {
      out(`  ${r.passed ? '✓' : '✗'} ${r.name}`);
      for (const f of r.failures) out(`      ${f}`);
      if (args.verbose && r.simulation) for (const line of decisions(r.simulation)) out(`        | ${line}`);
      if (r.passed) passed++;
      else failed++;
    }
  }
  const total = passed + failed;
  out('');
  out(
    `${total} case${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed` +
      (badFiles > 0 ? `; ${badFiles} file${badFiles === 1 ? '' : 's'} could not be checked` : ''),
  );
  return failed === 0 && badFiles === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
