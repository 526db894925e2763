/**
 * Reads the escalation state machine definition out of the synthesized CDK app — the same definition CloudFormation
 * deploys — so the local runtime runs it, not a copy. Synthesis skips bundling and cdk-nag (about a second).
 * Intrinsics in the definition (Fn::Join, Fn::GetAtt <fn>.Arn, Ref AWS::Partition) resolve to local stand-ins, and
 * each Task state is mapped to the function of the table (handlers/functions.ts) whose Lambda it invokes.
 *
 * The synthesis runs in a short-lived child process (synthesize-child.ts), so the runtime never holds aws-cdk-lib in
 * memory (~80 MB of its resident set), and its result is cached on disk (`.cache/escalation-state-machine/` under
 * the repository root): one file per key = the config, cdk.json and package-lock.json (aws-cdk-lib's version),
 * holding the definition and the hash of every repository source file the synthesis loaded. An entry is used only
 * while each of those files still has its hash, so a change to anything that could change the definition
 * synthesizes again. Without a child process (no tsx) it synthesizes in this process.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { InvariantError } from '../core/errors';
import { FUNCTION_NAMES, functionSpec, type FunctionName } from '../handlers/functions';

export interface SynthesizedStateMachine {
  definition: Record<string, unknown>;
  /** Fake ARN -> logical id of each Lambda function referenced by the definition. */
  functions: Record<string, string>;
  /** Task state name -> the function it invokes (its Lambda's logical id is `<table id>Function<hash>`). */
  tasks: Record<string, FunctionName>;
}

/** The table function whose Lambda has this logical id (PipelineFunction `<id>` holds the Lambda `Function`). */
function functionOfLogicalId(logicalId: string): FunctionName | undefined {
  return FUNCTION_NAMES.find((name) => new RegExp(`^${functionSpec(name).id}Function[0-9A-F]{8}$`).test(logicalId));
}

/** Each Task state of the definition and the table function behind its Lambda resource. */
function taskFunctions(definition: Record<string, unknown>, functions: Record<string, string>): Record<string, FunctionName> {
  const tasks: Record<string, FunctionName> = {};
  const states = (definition.States ?? {}) as Record<string, { Type?: string; Resource?: string }>;
  for (const [state, spec] of Object.entries(states)) {
    if (spec.Type !== 'Task') continue;
    const logicalId = functions[spec.Resource ?? ''];
    const name = logicalId ? functionOfLogicalId(logicalId) : undefined;
    if (!name) throw new InvariantError(`the synthesized state machine's Task state ${state} invokes ${spec.Resource}, which is no function of the function table`);
    tasks[state] = name;
  }
  return tasks;
}

type Json = unknown;

function resolveIntrinsics(value: Json, functions: Record<string, string>): Json {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, functions));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, Json>;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, Json[]];
      return parts.map((p) => String(resolveIntrinsics(p, functions))).join(sep);
    }
    if ('Fn::GetAtt' in obj) {
      const [id, attr] = obj['Fn::GetAtt'] as [string, string];
      const arn = `arn:aws:lambda:local:000000000000:function:${id}`;
      functions[arn] = id;
      return attr === 'Arn' ? arn : `${id}.${attr}`;
    }
    if ('Ref' in obj) {
      const ref = obj.Ref as string;
      return ref === 'AWS::Partition' ? 'aws' : ref === 'AWS::Region' ? 'local' : ref === 'AWS::AccountId' ? '000000000000' : ref;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v, functions)]));
  }
  return value;
}

const ROOT = join(__dirname, '..', '..');
/** The default cache directory (gitignored). */
export const SYNTH_CACHE_DIR = join(ROOT, '.cache', 'escalation-state-machine');

export interface SynthesisOptions {
  /** Where synthesized definitions are cached; null = no disk cache. Default SYNTH_CACHE_DIR. */
  cacheDir?: string | null;
}

/** Where this process got the definition: the disk cache, a child process's synthesis, or its own. */
export type SynthesisOrigin = 'cache' | 'child' | 'in-process';

interface CacheEntry {
  /** Repository source file (relative to the root, or absolute) -> sha256 of its content at synthesis. */
  sources: Record<string, string>;
  result: SynthesizedStateMachine;
}

const memo = new Map<string, Promise<SynthesizedStateMachine & { origin: SynthesisOrigin }>>();

/** Forgets this process's synthesized definitions (tests: the next call reads the disk cache like a new process). */
export function forgetSynthesized(): void {
  memo.clear();
}

/** Synthesizes once per config per process (tests start many runtimes), from the disk cache when it is valid. */
export function synthesizeEscalationStateMachine(config: PipelineConfig, options: SynthesisOptions = {}): Promise<SynthesizedStateMachine & { origin: SynthesisOrigin }> {
  const cacheDir = options.cacheDir === undefined ? SYNTH_CACHE_DIR : options.cacheDir;
  const key = `${cacheDir}\n${JSON.stringify(config)}`;
  let hit = memo.get(key);
  if (!hit) {
    hit = cachedOrSynthesized(config, cacheDir);
    memo.set(key, hit);
    hit.catch(() => memo.delete(key));
  }
  return hit;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const fileHash = (path: string): string | null => (existsSync(path) ? sha256(readFileSync(path)) : null);

/** The cache file of a config: its name hashes every input that is not a source file. */
function cacheFile(config: PipelineConfig, cacheDir: string): string {
  const key = sha256(JSON.stringify([config, fileHash(join(ROOT, 'cdk.json')), fileHash(join(ROOT, 'package-lock.json')), process.version.split('.')[0]]));
  return join(cacheDir, `${key}.json`);
}

function readValidEntry(file: string): SynthesizedStateMachine | null {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
  } catch {
    return null; // missing or torn
  }
  if (!entry.sources || Object.keys(entry.sources).length === 0 || !entry.result?.definition) return null;
  for (const [path, hash] of Object.entries(entry.sources)) {
    if (fileHash(resolve(ROOT, path)) !== hash) return null;
  }
  return entry.result;
}

async function cachedOrSynthesized(config: PipelineConfig, cacheDir: string | null): Promise<SynthesizedStateMachine & { origin: SynthesisOrigin }> {
  const file = cacheDir ? cacheFile(config, cacheDir) : null;
  const cached = file ? readValidEntry(file) : null;
  if (cached) return { ...cached, origin: 'cache' };
  let child: { result: SynthesizedStateMachine; sources: string[] } | null;
  try {
    child = await synthesizeInChild(config);
  } catch {
    child = null; // no child process possible (e.g. no tsx): synthesize here, uncached
  }
  if (!child) return { ...(await synthesize(config)), origin: 'in-process' };
  if (file && cacheDir) {
    try {
      const sources = Object.fromEntries(child.sources.map((p) => [isAbsolute(p) && p.startsWith(ROOT) ? relative(ROOT, p) : p, fileHash(p)!]));
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ sources, result: child.result } satisfies CacheEntry));
      renameSync(tmp, file); // atomic: a concurrent start reads the old entry or the new one
    } catch {
      // a read-only checkout: run uncached
    }
  }
  return { ...child.result, origin: 'child' };
}

/** Runs synthesize-child.ts (`node --import tsx`): the definition and the repository source files it loaded. */
function synthesizeInChild(config: PipelineConfig): Promise<{ result: SynthesizedStateMachine; sources: string[] }> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(__dirname, 'synthesize-child.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, CDK_VALIDATION: 'false' },
    });
    let stderr = '';
    let answer: { ok: boolean; result?: SynthesizedStateMachine; sources?: string[]; error?: string } | null = null;
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-2000)));
    child.on('message', (m) => (answer = m as typeof answer));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (answer?.ok && answer.result && answer.sources) resolvePromise({ result: answer.result, sources: answer.sources });
      else if (answer && !answer.ok) reject(new InvariantError(answer.error ?? 'synthesis failed')); // the config or the app is wrong: no fallback hides it
      else reject(new Error(`synthesis child exited with ${code}: ${stderr}`));
    });
    child.send(config);
  });
}

/** Synthesizes in this process (synthesize-child.ts calls it; the fallback without a child process). */
export async function synthesize(config: PipelineConfig): Promise<SynthesizedStateMachine> {
  // Loaded on demand (required, so the child sees every loaded source in require.cache): only synthesis pays for aws-cdk-lib.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require('../../lib/app') as typeof import('../../lib/app');
  const context = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const outdir = mkdtempSync(join(tmpdir(), 'alert-pipeline-synth-'));
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const { app, pipelineStack } = createApp(config, { appProps: { outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } }, nag: false });
    const template = app.synth().getStackByName(pipelineStack.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> };
    const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    if (machines.length !== 1) throw new InvariantError(`expected one state machine in ${pipelineStack.stackName}, found ${machines.length}`);
    const functions: Record<string, string> = {};
    const text = resolveIntrinsics(machines[0]!.Properties.DefinitionString, functions) as string;
    const definition = JSON.parse(text) as Record<string, unknown>;
    return { definition, functions, tasks: taskFunctions(definition, functions) };
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
    rmSync(outdir, { recursive: true, force: true });
  }
}
