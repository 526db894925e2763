/**
 * House defaults for the CDK constructs, as plain values and pure functions (no constructs are created here).
 * Constructs read these so a reviewer finds every tunable number in one file.
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { BUILD_SWITCHES, ENV } from '../../lambdas/handlers/shared/env-names';

/** Lambda runtime: the newest Node.js this aws-cdk-lib knows (cdk-nag AwsSolutions-L1 asks for the latest). */
export const NODE_RUNTIME = Runtime.NODEJS_24_X;

/** esbuild target matching NODE_RUNTIME. */
export const ESBUILD_TARGET = 'node24';

/** arm64: ~20 % cheaper per GB-s and a slightly faster Init than x86 (docs/limits-and-prices.md §4). */
export const ARCHITECTURE = Architecture.ARM_64;

export const FUNCTION_DEFAULTS = {
  /** 256 MB: SDK-heavy handlers pay > 1 s first invokes at 128 MB (docs/limits-and-prices.md §4). */
  memorySize: 256,
  timeout: Duration.seconds(10),
  logRetention: RetentionDays.ONE_MONTH,
} as const;

/**
 * Lambda's logging settings of every function. Today: Lambda's text format, so every invocation writes its START, END
 * and REPORT lines.
 */
export const FUNCTION_LOGGING: { readonly systemLogLevel?: string } = {};

/** The SQS consumer: bigger and longer than the ingest functions (batches of up to 1,000 alerts). */
export const PROCESSOR_DEFAULTS = {
  memorySize: 512,
  timeout: Duration.seconds(60),
  maxConcurrency: 10,
} as const;

/** docs/limits-and-prices.md §1: the queue's visibility timeout is at least 6 x the consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export const QUEUE_DEFAULTS = {
  /** The alert queue keeps messages 4 days (SQS default); the dead-letter queue the maximum, 14 days. */
  retentionPeriod: Duration.days(4),
  deadLetterRetentionPeriod: Duration.days(14),
  /** Page when the oldest queued alert waits longer than this. */
  oldestMessageAgeAlarmSeconds: 300,
} as const;

export const API_DEFAULTS = {
  throttle: { rateLimit: 1000, burstLimit: 2000 },
  authorizerCacheTtl: Duration.seconds(300),
  accessLogRetention: RetentionDays.THREE_MONTHS,
} as const;

/** Secrets Manager token shape: `{"token": "<32 letters and digits>"}`. */
export const TOKEN_LENGTH = 32;

/**
 * API access log line (JSON). It logs the route key (`POST /ingest/threatstack/{token}`) and NEVER
 * `$context.path`: the ingest token is part of the path, and access logs must not leak it.
 */
export const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * Module substitutions of every bundle (esbuild `alias`): the SDK's credential chain becomes the one link that runs in
 * Lambda, the execution role's environment variables (lambdas/handlers/shared/lambda-credentials.ts; -133 KB
 * minified per function). The local runtime and the tests do not use bundles and keep the full chain.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(__dirname, '..', '..', 'lambdas', 'handlers', 'shared', 'lambda-credentials.ts'),
};

/** esbuild `define` of every bundle: the config as JSON text and the build-time switches derived from it. */
export function bundleDefines(pipelineConfig: PipelineConfig): Record<string, string> {
  return {
    [`process.env.${ENV.pipelineConfigJson}`]: JSON.stringify(JSON.stringify(pipelineConfig)),
    [`process.env.${BUILD_SWITCHES.historyEnabled}`]: JSON.stringify(String(pipelineConfig.insights.history.enabled)),
  };
}

/**
 * esbuild options of every function: ESM with a createRequire banner (for CommonJS dependencies), the AWS SDK
 * bundled, minified, `BUNDLE_ALIASES`, and `bundleDefines`: the validated pipeline config inlined as
 * `process.env.PIPELINE_CONFIG_JSON`, so a deployed function runs the config it was deployed with, and the build-time
 * switches that leave out what the config does not use.
 *
 * The SDK is bundled, not taken from the Lambda runtime, for every function: measured by `npm run bench`
 * (docs/performance.md, "Lambda bundles"; both variants side by side), a function that imports the SDK from
 * node_modules (the runtime's copy is laid out the same way, one CommonJS file per package) is ~300 KB smaller but
 * takes 5-10x longer to import (e.g. the authorizer 53 KB / ~440 ms against 215 KB / ~55 ms bundled, the escalation
 * step 178 KB / ~1.3 s against 433 KB / ~75 ms). Import time is the cold start; bytes are only the upload.
 */
export function bundlingOptions(pipelineConfig: PipelineConfig): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    bundleAwsSDK: true,
    minify: true,
    target: ESBUILD_TARGET,
    esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
    define: bundleDefines(pipelineConfig),
  };
}
