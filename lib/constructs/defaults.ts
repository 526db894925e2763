/**
 * House defaults for the CDK constructs, as plain values and pure functions (no constructs are created here).
 * Constructs read these so a reviewer finds every tunable number in one file.
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
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
 * Lambda's logging settings of every function (advanced logging controls). JSON format, so Lambda filters by level:
 * - system log level WARN: Lambda's own START/END/REPORT records (INFO) are not written, ~435 bytes per invocation,
 *   about $0.22 per million alerts sent one per request (docs/performance.md). Duration, errors, throttles and
 *   concurrency stay in Lambda's CloudWatch metrics (the pipeline's alarms read those); a REPORT's max memory used
 *   and init duration are what is given up;
 * - application log level INFO: Lambda sets AWS_LAMBDA_LOG_LEVEL, which Powertools Logger takes over
 *   POWERTOOLS_LOG_LEVEL, so DEBUG lines are not even formatted. Raise one function to DEBUG in the Lambda console
 *   (its logging configuration) to see every per-alert decision while investigating.
 */
export const FUNCTION_LOGGING = {
  loggingFormat: LoggingFormat.JSON,
  applicationLogLevel: ApplicationLogLevel.INFO,
  systemLogLevel: SystemLogLevel.WARN,
} as const;

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
 * API access log line (JSON), one per request: kept compact (~160 bytes filled in, against ~355 with the user agent,
 * method, protocol, lengths and both latencies) with what traces a request: its id (the `apigw-requestid` header the
 * sender got; the raw archive key of the delivery, kept in the alert log, carries it too), the time (epoch ms), the
 * source IP, route key, status, latency and the integration's or authorizer's error. It logs the route key
 * (`POST /ingest/threatstack/{token}`) and NEVER `$context.path`: the ingest token is part of the path, and access
 * logs must not leak it.
 */
export const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    id: '$context.requestId',
    at: '$context.requestTimeEpoch',
    ip: '$context.identity.sourceIp',
    route: '$context.routeKey',
    status: '$context.status',
    ms: '$context.responseLatency',
    err: '$context.integrationErrorMessage',
    authErr: '$context.authorizer.error',
  }),
);

/**
 * Module substitutions of every bundle (esbuild `alias`). The local runtime and the tests do not use bundles and keep
 * the originals.
 * - The SDK's credential chain becomes the one link that runs in Lambda, the execution role's environment variables
 *   (lambdas/handlers/shared/lambda-credentials.ts; -133 KB minified per function).
 * - `sax`, the XML parser xml-js loads for the Atom feed's writer (`feed`), becomes a stub that throws: nothing parses
 *   XML in a function (lambdas/handlers/shared/no-xml-parser.ts; -20 KB in status-render, the one function that writes the feed).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(__dirname, '..', '..', 'lambdas', 'handlers', 'shared', 'lambda-credentials.ts'),
  sax: join(__dirname, '..', '..', 'lambdas', 'handlers', 'shared', 'no-xml-parser.ts'),
};

/** What decides a function's bundle besides the config (from its entry in the function table). */
export interface BundleOf {
  /** CEL reaches the function only through the webhook mapping (`celOnlyForWebhooks` of the function table). */
  readonly celOnlyForWebhooks?: boolean;
}

/**
 * The module substitutions of one function's bundle: `BUNDLE_ALIASES`, and for a function whose only CEL is the
 * webhook mapping, built for a config without webhooks, CEL itself becomes a stub that throws
 * (lambdas/handlers/shared/no-cel.ts; ~80 KB less to compile at each cold start of the HTTP and EventBridge ingest).
 */
export function bundleAliases(pipelineConfig: PipelineConfig, fn: BundleOf = {}): Record<string, string> {
  const noWebhooks = (pipelineConfig.sources.webhooks ?? []).length === 0;
  return {
    ...BUNDLE_ALIASES,
    ...(fn.celOnlyForWebhooks && noWebhooks ? { '@marcbachmann/cel-js': join(__dirname, '..', '..', 'lambdas', 'handlers', 'shared', 'no-cel.ts') } : {}),
  };
}

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
export function bundlingOptions(pipelineConfig: PipelineConfig, fn: BundleOf = {}): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    bundleAwsSDK: true,
    minify: true,
    target: ESBUILD_TARGET,
    esbuildArgs: Object.fromEntries(Object.entries(bundleAliases(pipelineConfig, fn)).map(([from, to]) => [`--alias:${from}`, to])),
    define: bundleDefines(pipelineConfig),
  };
}
