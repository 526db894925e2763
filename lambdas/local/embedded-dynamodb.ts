/**
 * The embedded DynamoDB of the local runtime and of the adapter tests: dynalite (DynamoDB's API on LevelDB),
 * in-process on a loopback port, persisted under the data directory or in memory. The table is created from the same
 * description as in AWS (table-schema.ts).
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTableInput } from '../adapters/dynamodb/table-schema';

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

const UNSIGNED_HEADERS = {
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=unsigned',
  'x-amz-date': '20260101T000000Z',
};

export interface EmbeddedDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts dynalite (`path` = on-disk store; omit for memory) and ensures the incident table exists. */
export async function startEmbeddedDynamo(options: { path?: string; tableName: string }): Promise<EmbeddedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = embeddedClient(endpoint);
  try {
    await ensureTable(client, options.tableName);
  } catch (err) {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client of the embedded DynamoDB at `endpoint` (also built by the processor thread for its own calls). */
export function embeddedClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
    // dynalite checks that a request carries a well-formed SigV4 Authorization header but never verifies the
    // signature, so the embedded client sends a fixed one instead of hashing every request body and HMAC-signing it.
    signer: { sign: async (request) => Object.assign(request, { headers: { ...request.headers, ...UNSIGNED_HEADERS } }) },
  });
}

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  }
}
