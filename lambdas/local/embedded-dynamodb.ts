/**
 * The embedded DynamoDB of the local runtime and of the adapter tests: dynalite (DynamoDB's API on LevelDB),
 * in-process on a loopback port, persisted under the data directory or in memory. The table is created from the same
 * description as in AWS (table-schema.ts).
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Worker } from 'node:worker_threads';
import { InvariantError, TransientError } from '../core/errors';
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

/** The dynalite server on its own worker thread: it answers on a loopback port; `close` stops it and the thread. */
const DYNALITE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.dynalite)(workerData.options);
server.once('error', (err) => parentPort.postMessage({ error: String(err) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

/** dynalite in this thread, or (`thread`) on a worker thread of its own; its port and how to stop it. */
async function listen(settings: Record<string, unknown>, thread: boolean): Promise<{ port: number; close(): Promise<void> }> {
  if (!thread) {
    const server = dynalite(settings);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const worker = new Worker(DYNALITE_THREAD, { eval: true, workerData: { dynalite: require.resolve('dynalite'), options: settings } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port?: number; error?: string }) => (m.port ? resolve(m.port) : reject(new InvariantError(`embedded DynamoDB: ${m.error}`))));
    worker.once('error', reject);
  });
  return { port, close: () => new Promise<void>((resolve) => { worker.once('exit', () => resolve()); worker.postMessage('close'); }) };
}

/**
 * Starts dynalite (`path` = on-disk store; omit for memory) and ensures the incident table exists. `thread`: on a
 * worker thread of its own, so serving DynamoDB calls does not take turns with the thread that ingests.
 */
export async function startEmbeddedDynamo(options: { path?: string; tableName: string; thread?: boolean }): Promise<EmbeddedDynamo> {
  const server = await listen({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) }, options.thread === true);
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = embeddedClient(endpoint);
  try {
    await ensureTable(client, options.tableName);
  } catch (err) {
    client.destroy();
    await server.close();
    throw err;
  }
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await server.close();
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
  // dynalite turns a new table ACTIVE on a timer of its thread (createTableMs 0): on a thread of its own, a request can
  // arrive before that timer ran, so wait until the table and its indexes say ACTIVE.
  for (let i = 0; i < 200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new TransientError(`the embedded DynamoDB table ${tableName} did not become ACTIVE`);
}
