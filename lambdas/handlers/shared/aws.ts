/**
 * AWS clients, built once per Lambda execution environment and only when first used. Separate exports, so esbuild
 * keeps in each bundle only the clients that function uses. The local runtime does not use these.
 *
 * Tracing: every function runs with Lambda active tracing (an X-Ray segment per invocation, with its Init phase), and
 * the SDK calls are not wrapped in subsegments: the Powertools Tracer that did it bundled aws-xray-sdk-core (~120 KB
 * minified and 10-40 ms of import per function on the paging path; docs/deploy.md, "Operating the pipeline").
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

export const dynamodbClient = /* @__PURE__ */ once(() => new DynamoDBClient({}));
export const sqsClient = /* @__PURE__ */ once(() => new SQSClient({}));
export const s3Client = /* @__PURE__ */ once(() => new S3Client({}));
export const secretsClient = /* @__PURE__ */ once(() => new SecretsManagerClient({}));
export const sfnClient = /* @__PURE__ */ once(() => new SFNClient({}));
export const lambdaClient = /* @__PURE__ */ once(() => new LambdaClient({}));
export const snsClient = /* @__PURE__ */ once(() => new SNSClient({}));
/** Two attempts at most: an alert waits on it (its answer is cached, a failure traced, never fatal). */
export const cloudwatchClient = /* @__PURE__ */ once(() => new CloudWatchClient({ maxAttempts: 2 }));
