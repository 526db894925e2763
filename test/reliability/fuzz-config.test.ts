/**
 * Property-based fuzzing of the config loader: whatever the file holds, loading it gives a config the pipeline can
 * run with (rules and webhook mappings compile, the local runtime's handlers build) or a ConfigError that names the
 * file, each problem's path and the problem: never another exception, never a config that fails later. And at the
 * command line a bad file stops `npm start` with that message and exit code 1, before anything is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { checkDeployConstraints, loadPipelineConfig } from '../../lib/config/load-pipeline-config';
import { parsePipelineConfigText } from '../../lambdas/core/config/parse-pipeline-config-text';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { ConfigError } from '../../lambdas/core/errors';
import { compileRules } from '../../lambdas/core/rules/compile';
import { compileWebhook } from '../../lambdas/core/normalize/webhook-mapping';
import { REPO_ROOT } from '../support/fixtures';
import { mutatedFrom } from '../support/normalize-fuzz';

const RUNS = Number(process.env.FUZZ_RUNS_CONFIG ?? 150);
const GOOD_DIR = join(REPO_ROOT, 'test', 'fixtures', 'config', 'rules', 'good');
const GOOD: Array<{ name: string; text: string }> = [
  { name: 'config/pipeline.yaml', text: readFileSync(join(REPO_ROOT, 'config', 'pipeline.yaml'), 'utf8') },
  ...readdirSync(GOOD_DIR).filter((f) => f.endsWith('.yaml')).map((f) => ({ name: f, text: readFileSync(join(GOOD_DIR, f), 'utf8') })),
];

/** What the pipeline does with a config after loading it: every compile step must succeed on a valid one. */
function use(config: PipelineConfig): void {
  compileRules(config);
  for (const w of config.sources.webhooks) compileWebhook(w);
}

const outcomes = { valid: 0, invalid: 0 };

/** The contract: a usable config, or a ConfigError naming the source and at least one path + problem. */
function loadsOrExplains(text: string, source = 'fuzz.yaml'): void {
  let config: PipelineConfig;
  try {
    config = parsePipelineConfigText(text, source);
    checkDeployConstraints(config, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.message.startsWith(`${source} is invalid:`)).toBe(true);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const issue of err.issues) {
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
      expect(issue.message.length).toBeGreaterThan(0);
    }
    outcomes.invalid += 1;
    return;
  }
  use(config); // must not throw: a config that loads must run
  outcomes.valid += 1;
}

/** Line-level edits of YAML text: delete, duplicate, swap, re-indent, or insert characters. */
const textEdit = fc.record({
  kind: fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'insert'),
  line: fc.nat(),
  other: fc.nat(),
  chars: fc.constantFrom(': ', '- ', '#', '{', '[', '"', "'", '&a', '*a', '!!str ', '\t', '  ', 'null', '~', '? ', '|'),
});

function applyEdits(text: string, edits: ReadonlyArray<{ kind: string; line: number; other: number; chars: string }>): string {
  const lines = text.split('\n');
  for (const e of edits) {
    if (lines.length === 0) break;
    const i = e.line % lines.length;
    const j = e.other % lines.length;
    if (e.kind === 'delete') lines.splice(i, 1);
    else if (e.kind === 'duplicate') lines.splice(i, 0, lines[i]!);
    else if (e.kind === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    else if (e.kind === 'indent') lines[i] = (e.other % 2 ? '  ' : '') + lines[i]!.replace(/^ {0,2}/, e.other % 2 ? '' : '');
    else lines[i] = `${lines[i]!.slice(0, e.other % (lines[i]!.length + 1))}${e.chars}${lines[i]!.slice(e.other % (lines[i]!.length + 1))}`;
  }
  return lines.join('\n');
}

describe('fuzzing the config loader', () => {
  afterAll(() => console.log(`config fuzz: ${outcomes.valid} inputs loaded and compiled, ${outcomes.invalid} refused with a ConfigError`));

  // Found by this fuzzer and fixed: the loader used to throw the yaml library's ReferenceError.
  it('an unresolved YAML alias is a ConfigError', () => {
    let error: unknown;
    try {
      parsePipelineConfigText(GOOD[0]!.text.replace(/^(\s+- name: )platform$/m, '$1*platform'), 'alias.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
  });

  // Found by this fuzzer and fixed: a bad RRULE used to pass the loader and fail only when the rules compiled.
  it('an RRULE rrule cannot parse is refused at load', () => {
    const text = GOOD[0]!.text.replace(/rrule: FREQ=WEEKLY/, 'rrule: FREQ=WEEK#LY');
    expect(text).toContain('FREQ=WEEK#LY');
    expect(() => parsePipelineConfigText(text, 'rrule.yaml')).toThrow(ConfigError);
  });

  it.each(GOOD.map((g) => [g.name, g] as const))('%s loads and compiles as it is', (_name, good) => {
    expect(() => use(parsePipelineConfigText(good.text, good.name))).not.toThrow();
  });

  it.each(GOOD.map((g) => [g.name, g] as const))('%s with a key dropped or a value replaced: a usable config or a ConfigError', (_name, good) => {
    fc.assert(fc.property(mutatedFrom(YAML.parse(good.text)), (value) => loadsOrExplains(YAML.stringify(value))), { numRuns: RUNS });
  });

  it.each(GOOD.map((g) => [g.name, g] as const))('%s with its YAML text edited: a usable config or a ConfigError', (_name, good) => {
    fc.assert(fc.property(fc.array(textEdit, { minLength: 1, maxLength: 4 }), (edits) => loadsOrExplains(applyEdits(good.text, edits))), { numRuns: RUNS });
  });

  it('arbitrary text, JSON and YAML documents: a usable config or a ConfigError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.jsonValue().map((v) => YAML.stringify(v))),
        (text) => loadsOrExplains(text),
      ),
      { numRuns: RUNS },
    );
  });

  it('a missing file or a directory is a ConfigError naming the path', () => {
    for (const path of [join(tmpdir(), 'no-such-pipeline-config.yaml'), tmpdir()]) {
      let error: unknown;
      try {
        loadPipelineConfig(path);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('cannot read');
    }
  });

  it('npm start with a bad file stops with the path and the problem, exit code 1, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-config-'));
    try {
      const file = join(dir, 'pipeline.yaml');
      writeFileSync(file, GOOD[0]!.text.replace(/^routing:/m, 'routng:'));
      const dataDir = join(dir, 'data');
      const res = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'lambdas', 'local', 'main.ts')], {
        cwd: REPO_ROOT,
        env: { ...process.env, PIPELINE_CONFIG: file, DATA_DIR: dataDir, PORT: '0' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`${file} is invalid:`);
      expect(res.stderr).toMatch(/routng|routing/);
      expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
