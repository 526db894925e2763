/**
 * The queue processor on its own thread (processor-thread.ts starts it): the processAlerts handler built as the
 * runtime builds it, with its own DynamoDB client of the embedded DynamoDB, so its calls and its planning do not
 * share the thread that serves ingest, as the processor Lambda does not in AWS. What lives on the main thread (the
 * escalation runner behind the escalator's transport, the dead-letter queue) is reached by messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SQSEvent } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { DeadLetters, EscalationTransport, IncidentStore } from '../core/ports';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEscalator } from '../core/escalation/escalator';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { DynamoRollupStore } from '../adapters/dynamodb/rollup-store';
import { FsDocuments } from '../adapters/local/fs-documents';
import { FsRawArchive } from '../adapters/local/fs-raw-archive';
import { ConfigAlarmDetails } from '../adapters/local/config-alarm-details';
import { storeRecordingResolves } from '../handlers/shared/insights';
import { createProcessAlertsHandler } from '../handlers/process-alerts';
import { embeddedClient } from './embedded-dynamodb';
import { join } from 'node:path';
import { createEscalationStepHandler } from '../handlers/escalation-step';
import { localChannelSecrets } from '../adapters/secrets/channel-secrets';
import { localEscalationDeps, localOutbox } from './escalation-deps';
import { localContext } from './http-server';
import type { FromMain, FromWorker, ProcessorThreadData } from './processor-thread';

/** What a measurement module (ProcessorThreadData.hooksModule) may export: the runtime hooks, in this thread. */
export interface ProcessorThreadHooks {
  dynamoClient?(client: DynamoDBClient): void;
  processorStore?(store: IncidentStore): IncidentStore;
  /** Any figures it wants read from the main thread (`ProcessorThread.measure`). */
  measure?(command: string): unknown;
}

const data = workerData as ProcessorThreadData;
const port = parentPort!;
const config: PipelineConfig = data.config;
const clock = { now: () => new Date() };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hooks: ProcessorThreadHooks = data.hooksModule ? (require(data.hooksModule) as { processorThreadHooks(): ProcessorThreadHooks }).processorThreadHooks() : {};

let nextCall = 1;
const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
const callMain = (target: 'transport' | 'deadLetters', method: string, args: unknown[]): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const id = nextCall++;
    calls.set(id, { resolve, reject });
    port.postMessage({ kind: 'call', id, target, method, args } satisfies FromWorker);
  });
const transport: EscalationTransport = {
  startExecution: async (name, state) => void (await callMain('transport', 'startExecution', [name, state])),
  stopExecution: async (name, reason) => void (await callMain('transport', 'stopExecution', [name, reason])),
  pageInline: async (state) => void (await callMain('transport', 'pageInline', [state])),
};
const deadLetters: DeadLetters = { put: async (body, reason) => void (await callMain('deadLetters', 'put', [body, reason])) };

const client = embeddedClient(data.dynamoEndpoint);
hooks.dynamoClient?.(client);
const base = new DynamoIncidentStore(client, data.table);
const resolving = storeRecordingResolves(config, base, new DynamoRollupStore(client, data.table), () => new FsDocuments(data.dataDir), () => data.publicBaseUrl, clock);
const store = hooks.processorStore?.(resolving) ?? resolving;
const ops = new DynamoOperationsStore(client, data.table);
const escalator = createEscalator({ config, clock, store: base, transport });
const archive = new FsRawArchive(join(data.dataDir, 'archive'));
const handler = createProcessAlertsHandler({ config, store, ops, escalator, deadLetters, archive, clock, alarmDetails: new ConfigAlarmDetails(config.cloudwatchAlarms.local, clock) });
// The inline page (the Page function's handler, as the main thread builds it): its own store over this thread's client.
const channelSecrets = localChannelSecrets(data.channelSecrets, data.channelEnvironment);
const pageDeps = localEscalationDeps({
  config, store: new DynamoIncidentStore(client, data.table), ops, clock,
  sender: localOutbox(data.dataDir, config, channelSecrets), publicBaseUrl: data.publicBaseUrl, actionLinkKey: data.actionLinkKey,
});
const page = createEscalationStepHandler(async () => pageDeps);
const run = (m: Exclude<FromMain, { kind: 'reply' }>): Promise<unknown> => {
  if (m.kind === 'batch') return (handler as unknown as (e: SQSEvent, c: unknown) => Promise<unknown>)(m.event as SQSEvent, localContext('processAlerts', m.timeoutMs));
  if (m.kind === 'page') return (page as unknown as (e: unknown, c: unknown) => Promise<unknown>)(m.state, localContext('escalationStep', 300_000));
  return Promise.resolve(hooks.measure?.(m.command));
};

port.on('message', (m: FromMain) => {
  if (m.kind === 'reply') {
    const call = calls.get(m.id);
    calls.delete(m.id);
    if (m.ok) call?.resolve(m.value);
    else call?.reject(Object.assign(new Error(m.error), { name: m.name }));
    return;
  }
  void (async () => {
    try {
      const value = await run(m);
      port.postMessage({ kind: 'done', id: m.id, ok: true, value } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ kind: 'done', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' } satisfies FromWorker);
    }
  })();
});
port.postMessage({ kind: 'ready' } satisfies FromWorker);
