/**
 * Reads the escalation state machine definition out of the synthesized CDK app — the same definition CloudFormation
 * deploys — so the local runtime runs it, not a copy. Synthesis skips bundling and cdk-nag (about a second).
 * Intrinsics in the definition (Fn::Join, Fn::GetAtt <fn>.Arn, Ref AWS::Partition) resolve to local stand-ins, and
 * each Task state is mapped to the function of the table (handlers/functions.ts) whose Lambda it invokes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const memo = new Map<string, Promise<SynthesizedStateMachine>>();

/** Synthesizes once per config per process (tests start many runtimes). */
export function synthesizeEscalationStateMachine(config: PipelineConfig): Promise<SynthesizedStateMachine> {
  const key = JSON.stringify(config);
  let hit = memo.get(key);
  if (!hit) {
    hit = synthesize(config);
    memo.set(key, hit);
    hit.catch(() => memo.delete(key));
  }
  return hit;
}

async function synthesize(config: PipelineConfig): Promise<SynthesizedStateMachine> {
  // Loaded on demand: only the local runtime and tests pay for aws-cdk-lib.
  const { createApp } = await import('../../lib/app');
  const root = join(__dirname, '..', '..');
  const context = (JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
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
