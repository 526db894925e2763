/**
 * Builds the CDK app in-process for template tests: the same createApp as bin/, with cdk.json's feature flags,
 * bundling skipped (no esbuild, ~1 s per app) and the cloud assembly in a temp directory removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { PipelineConfig, PipelineConfigInput } from '../../lambdas/core/config/pipeline-config.schema';
import { createApp, type AlertPipelineApp } from '../../lib/app';
import { loadPipelineConfig } from '../../lib/config/load-pipeline-config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkJson = require('../../cdk.json') as { context: Record<string, unknown> };

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

const outdirs: string[] = [];

/** A fresh temp directory for a cloud assembly; all of them are deleted by `cleanUpOutdirs`. */
export function tempOutdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'alert-pipeline-cdk-'));
  outdirs.push(dir);
  return dir;
}

export function cleanUpOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The App props every test uses: cdk.json's context plus "bundle no stack". */
export function testAppProps() {
  return { context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }, outdir: tempOutdir() };
}

/** The repository's config/pipeline.yaml, validated. */
export function defaultConfig(): PipelineConfig {
  return loadPipelineConfig(path.join(PROJECT_ROOT, 'config', 'pipeline.yaml'));
}

/** The default config with some top-level sections replaced, re-validated by the schema. */
export function configWith(change: (input: PipelineConfigInput) => PipelineConfigInput): PipelineConfig {
  return parsePipelineConfig(change(structuredClone(defaultConfig()) as PipelineConfigInput));
}

/** The default config without its `access` section: the API token behind a Lambda authorizer, as before identities. */
export function withoutAccess(): PipelineConfig {
  return configWith(({ access: _access, ...rest }) => rest);
}

export interface BuiltApp extends AlertPipelineApp {
  readonly dataTemplate: Template;
  readonly pipelineTemplate: Template;
}

/** createApp with test props; cdk-nag is off unless asked for (it has its own test). */
export function buildApp(config: PipelineConfig = defaultConfig(), options: { nag?: boolean } = {}): BuiltApp {
  const built = createApp(config, { appProps: testAppProps(), nag: options.nag ?? false });
  return {
    ...built,
    dataTemplate: Template.fromStack(built.dataStack),
    pipelineTemplate: Template.fromStack(built.pipelineStack),
  };
}

/** Logical id of an L1 element (e.g. `fn.role.node.defaultChild`). */
export function logicalIdOf(element: unknown): string {
  const el = element as CfnElement;
  return Stack.of(el).getLogicalId(el);
}

/** Every IAM action granted to a role by the AWS::IAM::Policy resources attached to it, with its resources. */
export function statementsOfRole(template: Template, roleLogicalId: string): Array<{ actions: string[]; resources: unknown[] }> {
  const policies = template.findResources('AWS::IAM::Policy');
  const out: Array<{ actions: string[]; resources: unknown[] }> = [];
  for (const policy of Object.values(policies)) {
    const roles = (policy.Properties.Roles ?? []) as Array<{ Ref?: string }>;
    if (!roles.some((r) => r.Ref === roleLogicalId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const actions = ([] as string[]).concat(statement.Action);
      const resources = ([] as unknown[]).concat(statement.Resource);
      out.push({ actions, resources });
    }
  }
  return out;
}

export function actionsOfRole(template: Template, roleLogicalId: string): string[] {
  return statementsOfRole(template, roleLogicalId).flatMap((s) => s.actions);
}

/** Re-export for tests that build apps by hand. */
export { App };

/**
 * The stack's own functions (the function table's): without CDK's BucketDeployment function, which copies the web
 * console's build into its bucket at deploy (lib/constructs/console-site.ts; runtime and role are CDK's and ours).
 */
export function pipelineFunctions(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => !id.startsWith('CustomCDKBucketDeployment')));
}
