/**
 * AWS clients, built once per Lambda execution environment and only when first used. Separate exports, so esbuild
 * keeps in each bundle only the clients that function uses. The local runtime does not use these.
 *
 * Tracing: every function runs with Lambda active tracing (X-Ray segment per invocation). The functions on the path
 * from an alert to a page also trace each SDK call as a subsegment: they import `./tracing`, which installs the
 * Powertools Tracer as `captureClient` (it bundles aws-xray-sdk-core, ~125 KB minified, so the others do without;
 * docs/deploy.md, "Operating the pipeline").
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

let capture: <T>(client: T) => T = (client) => client;

/** Instruments every client built after this call (handlers/shared/tracing.ts installs the Tracer's capture). */
export function setClientCapture(fn: <T>(client: T) => T): void {
  capture = fn;
}

export const dynamodbClient = /* @__PURE__ */ once(() => capture(new DynamoDBClient({})));
export const sqsClient = /* @__PURE__ */ once(() => capture(new SQSClient({})));
export const s3Client = /* @__PURE__ */ once(() => capture(new S3Client({})));
export const secretsClient = /* @__PURE__ */ once(() => capture(new SecretsManagerClient({})));
export const sfnClient = /* @__PURE__ */ once(() => capture(new SFNClient({})));
export const lambdaClient = /* @__PURE__ */ once(() => capture(new LambdaClient({})));
export const snsClient = /* @__PURE__ */ once(() => capture(new SNSClient({})));
/** Two attempts at most: an alert waits on it (its answer is cached, a failure traced, never fatal). */
export const cloudwatchClient = /* @__PURE__ */ once(() => capture(new CloudWatchClient({ maxAttempts: 2 })));
