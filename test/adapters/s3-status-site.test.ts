import type { S3Client } from '@aws-sdk/client-s3';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { S3StatusSite } from '../../lambdas/adapters/s3/s3-status-site';
import { LambdaStatusNotifier } from '../../lambdas/adapters/lambda/lambda-status-notifier';

/** A recording stand-in for an AWS SDK client (mocks only in unit tests of AWS adapters). */
function recording<T>() {
  const inputs: Array<Record<string, unknown>> = [];
  const client = { send: async (command: { input: Record<string, unknown> }) => void inputs.push(command.input) } as unknown as T;
  return { client, inputs };
}

describe('S3StatusSite', () => {
  it('puts every file under its path with its content type and cache-control', async () => {
    const s3 = recording<S3Client>();
    await new S3StatusSite(s3.client, 'status-bucket').write([
      { path: 'status/index.html', contentType: 'text/html; charset=utf-8', body: '<html></html>', cacheSeconds: 60 },
      { path: '/status.json', contentType: 'application/json', body: '{}', cacheSeconds: 30 },
    ]);
    expect(s3.inputs).toEqual([
      { Bucket: 'status-bucket', Key: 'status/index.html', Body: '<html></html>', ContentType: 'text/html; charset=utf-8', CacheControl: 'public, max-age=60' },
      { Bucket: 'status-bucket', Key: 'status.json', Body: '{}', ContentType: 'application/json', CacheControl: 'public, max-age=30' },
    ]);
  });
});

describe('LambdaStatusNotifier', () => {
  it('invokes the renderer asynchronously (Event), and does nothing without a function name', async () => {
    const lambda = recording<LambdaClient>();
    await new LambdaStatusNotifier(lambda.client, 'status-render').statusMayHaveChanged('processor');
    await new LambdaStatusNotifier(lambda.client, '').statusMayHaveChanged('processor');
    expect(lambda.inputs).toHaveLength(1);
    expect(lambda.inputs[0]).toMatchObject({ FunctionName: 'status-render', InvocationType: 'Event' });
    expect(JSON.parse(Buffer.from(lambda.inputs[0]!.Payload as Uint8Array).toString('utf8'))).toEqual({ source: 'alert-pipeline', reason: 'processor' });
  });
});
