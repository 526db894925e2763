/**
 * AWS clients and adapters, built once per Lambda execution environment and only when first used, so a function
 * pays only for the clients it needs. The local runtime never imports this file's adapters' AWS endpoints: it
 * builds the same handlers with local adapters (lambdas/local/).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const clients = {
  dynamodb: once(() => new DynamoDBClient({})),
  sqs: once(() => new SQSClient({})),
  s3: once(() => new S3Client({})),
  secrets: once(() => new SecretsManagerClient({})),
};

export { once };
