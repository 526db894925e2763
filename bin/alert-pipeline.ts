#!/usr/bin/env -S npx tsx
/**
 * CDK entry point (cdk.json "app"). Reads and validates the pipeline config, then builds the app (lib/app.ts).
 * Config file: env PIPELINE_CONFIG, else context `config` (`cdk synth -c config=...`), else config/pipeline.yaml.
 * A bad config fails synth with the path and the problem.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambdas/core/errors';
import { createApp } from '../lib/app';
import { DEFAULT_CONFIG_PATH, loadPipelineConfig } from '../lib/config/load-pipeline-config';

const app = new App();
const configPath: string = process.env.PIPELINE_CONFIG || app.node.tryGetContext('config') || DEFAULT_CONFIG_PATH;

try {
  const config = loadPipelineConfig(configPath);
  // Environment-agnostic stacks: `cdk deploy` targets the account and Region of the caller's credentials.
  createApp(config, { app });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
