/**
 * The local embedded runtime: the same handlers as in AWS, wired to local transports — embedded DynamoDB
 * (dynalite, on disk under the data directory), a durable local queue with SQS semantics and a dead-letter queue,
 * the raw archive in a folder — behind one HTTP server that serves the public contract. Every function of the
 * function table (handlers/functions.ts) is built here from its handler factory and invoked the way its trigger
 * invokes it in AWS: HTTP routes, the authorizer, the queue consumer, the alarm topic, the state machine's Task
 * states and the inline page, the schedule.
 *
 * The status page (config `statusPage`) is rendered to DATA_DIR/status-site by the same renderer as in AWS, at
 * start, after every processed batch, after every API write and sweep, and every minute (uptime bars, windows
 * that start or end), and served at /status, /status.json and /status/feed.atom without authentication.
 *
 * The web console (web/, built into web/dist) is served at `/` with its /config.json (lambdas/local/console-files.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AlarmDetails, Escalator, IncidentStore, OperationsStore } from '../core/ports';
import { createEscalator } from '../core/escalation/escalator';
import type { EscalationState } from '../core/escalation/plan';
import type { EscalationDeps } from '../core/escalation/run';
import type { SweepResult } from '../core/sweep';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { DynamoStatusStore } from '../adapters/dynamodb/status-store';
import { FsStatusSite } from '../adapters/local/fs-status-site';
import { createStatusRenderHandler } from '../handlers/status-render';
import { STATUS_FILES } from '../core/status/render';
import { localChannelSecrets } from '../adapters/secrets/channel-secrets';
import { createActHandler } from '../handlers/act';
import { FsRawArchive } from '../adapters/local/fs-raw-archive';
import { StaticTokens, tokenMatches } from '../adapters/secrets/token-source';
import { StaticIntegrationSecrets } from '../adapters/secrets/integration-secrets';
import { DEFAULT_INTEGRATION, integrationsOf } from '../core/integrations/config';
import { ingestAuthenticator } from '../core/integrations/authenticate';
import { currentTokens, persistIntegrationSecrets, withIntegrationTokens } from './local-integrations';
import { LocalSecretVersions } from '../adapters/secrets/secret-versions';
import { createRotateIntegrationTokenHandler, newIntegrationToken } from '../handlers/rotate-integration-token';
import { SnsMessageVerifier } from '../adapters/sns/sns-message-verifier';
import { createApiHandlers } from '../handlers/api-groups';
import { DynamoPostmortemStore } from '../adapters/dynamodb/postmortem-store';
import { DynamoRollupStore } from '../adapters/dynamodb/rollup-store';
import { storeRecordingResolves } from '../handlers/shared/insights';
import { FsDocuments } from '../adapters/local/fs-documents';
import { ConfigAlarmDetails } from '../adapters/local/config-alarm-details';
import { createAuthorizerHandler } from '../handlers/authorizer';
import { createIngestHttpHandler } from '../handlers/ingest-http';
import { createEscalationStepHandler } from '../handlers/escalation-step';
import { functionSpec, functionsTriggeredBy, triggerOf, type FunctionName } from '../handlers/functions';
import { createIngestEventBridgeHandler } from '../handlers/ingest-eventbridge';
import { createIngestSnsHandler } from '../handlers/ingest-sns';
import { createProcessAlertsHandler } from '../handlers/process-alerts';
import type { HttpFunctionName } from '../handlers/routes';
import { errorResponse, json, parseJson, readBody, type HttpEvent, type HttpResult } from '../handlers/shared/http';
import { identityOf } from '../handlers/shared/identity';
import { requireRole } from '../core/access/identity';
import type { Role } from '../core/access/roles';
import { createSweeperHandler } from '../handlers/sweeper';
import { DurableQueue } from './durable-queue';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './embedded-dynamodb';
import { localContext, startHttpServer, type HttpHandler } from './http-server';
import { consoleFile } from './console-files';
import { CONSOLE_DIST } from '../../lib/console/build-console';
import { QueueConsumer, type SqsHandler } from './queue-consumer';
import { LocalAlertQueue, LocalDeadLetters } from './local-queue-adapters';
import { LocalEscalationRunner } from './escalation-runner';
import type { LocalOutboxSender } from './outbox';
import { localEscalationDeps, localOutbox } from './escalation-deps';
import { synthesizeEscalationStateMachine } from './synthesized-state-machine';
import { ProcessorThread, type ProcessorThreadData } from './processor-thread';
import { ConflictError, InvariantError, TransientError } from '../core/errors';
import { scheduledEvent, snsEvent } from './trigger-events';

export const LOCAL_TABLE = 'alert-pipeline-incidents';
/** The local stand-in for the stack's own alarm topic (alarms published here reach the SNS -> Lambda handler). */
export const LOCAL_ALARM_TOPIC_ARN = 'arn:aws:sns:local:000000000000:alert-pipeline-alarms';
/** SNS's message size limit, for the local alarm topic. */
const ALARM_TOPIC_MAX_BODY_BYTES = 256 * 1024;

export interface LocalRuntimeOptions {
  config: PipelineConfig;
  dataDir: string;
  port?: number;
  apiToken?: string;
  ingestToken?: string;
  /** The SNS signature check on /ingest/cloudwatch; only `false` when SNS_SIGNATURE_CHECK=off. */
  snsSignatureCheck?: boolean;
  /** Keep DynamoDB in memory (tests); the queue and archive still use the data directory. */
  inMemoryStore?: boolean;
  visibilityMs?: number;
  retryDelayMs?: number;
  /** Replaces the escalator (tests of ingestion alone); by default the synthesized state machine runs locally. */
  escalator?: Escalator;
  /** Divides escalation waits (LOCAL_TIME_SCALE): 60 makes a 15-minute escalation delay take 15 seconds. */
  timeScale?: number;
  /**
   * How often the scheduled functions (the sweeper) run (ms); 0 = never (tests call `sweepNow`). Default: the rate
   * of their schedule in the function table, as in AWS (timeScale divides escalation waits only: what the sweeper
   * looks for, ended snoozes and windows and quiet incidents, is in wall-clock time).
   */
  sweepIntervalMs?: number;
  /** Environment for channel secrets (CHANNEL_SECRET_<NAME>). */
  environment?: NodeJS.ProcessEnv;
  /** The web console's build served at `/` (default web/dist; `npm start` builds it first). */
  consoleDir?: string;
  /**
   * Measurement and fault-injection hooks for bench/ and test/reliability/; none by default (nothing is wrapped).
   * `dynamoClient` sees the embedded DynamoDB client before any store uses it (e.g. to add a middleware that counts
   * consumed capacity); `processorStore` wraps the incident store of the queue processor only (e.g. to throttle a
   * fraction of its calls); `processor` wraps the handler the queue consumer calls (e.g. to fail a fraction of records).
   */
  hooks?: {
    dynamoClient?(client: DynamoDBClient): void;
    processorStore?(store: IncidentStore): IncidentStore;
    processor?(handler: SqsHandler): SqsHandler;
    /** Wraps the CloudWatch stand-in (the config's `cloudwatchAlarms.local`), e.g. to make enrichment fail. */
    alarmDetails?(details: AlarmDetails): AlarmDetails;
    /** Wraps the operations store of the escalation step (e.g. to make a page throw). */
    escalationOps?(ops: OperationsStore): OperationsStore;
  };
  /** Told when an escalation execution or inline page fails (default: printed on stderr). */
  onEscalationError?(name: string, err: unknown): void;
  /**
   * Runs the queue processor on its own worker thread (processor-thread.ts), apart from the thread that serves ingest,
   * as the processor Lambda runs apart in AWS (`npm start` and the bench turn it on; docs/performance.md). `hooksModule` is a module the thread loads for its hooks (the bench counts the processor's
   * DynamoDB calls there). Not with `escalator` or the `processorStore` and `alarmDetails` hooks, which are functions
   * of this thread. Default: in this thread.
   */
  processorThread?: boolean | { hooksModule: string };
  /**
   * Runs the embedded DynamoDB (dynalite) on a worker thread of its own (embedded-dynamodb.ts), so serving DynamoDB
   * calls does not take turns with ingest on this thread. Off by default: measured in the storm on a shared 2-vCPU
   * machine it accepted fewer alerts per second, and once the inline pages ran on the processor thread it no longer
   * clearly brought them sooner (docs/performance.md, notes).
   */
  dynamoThread?: boolean;
}

export interface LocalRuntime {
  url: string;
  apiToken: string;
  ingestToken: string;
  /** The current token of each configured integration but `default` (revoked ones included). */
  integrationTokens: Record<string, string>;
  /** Bearer tokens of the local users: person name -> token (DATA_DIR/local-secrets.json `users`). */
  userTokens: Readonly<Record<string, string>>;
  config: PipelineConfig;
  dataDir: string;
  store: DynamoIncidentStore;
  queue: DurableQueue;
  deadLetterQueue: DurableQueue;
  snsSignatureCheck: boolean;
  ops: DynamoOperationsStore;
  status: DynamoStatusStore;
  /** Re-renders the status site now (coalesced with a render in progress); resolves when written. */
  refreshStatus(): Promise<void>;
  outbox: LocalOutboxSender;
  /** The local Step Functions stand-in (null when an escalator was injected). */
  escalations: LocalEscalationRunner | null;
  /** The processor's worker thread (`processorThread`), or null when it runs in this thread. */
  processorThread: ProcessorThread | null;
  /** Invokes the sweeper's handler with a scheduled event, as its EventBridge schedule does. */
  sweepNow(): Promise<SweepResult>;
  /** The CloudWatch stand-in of the processor and the sweeper (`apiCalls()` counts its answers, for the bench). */
  alarmDetails: AlarmDetails;
  /** Rotates an integration's token as Secrets Manager would (RotateSecret, then the four steps of the rotation function). */
  rotateIntegrationToken(integration: string): Promise<void>;
  /** Invokes a function's handler with an event of its trigger (and a Lambda-like context); resolves to its result. */
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  /** Resolves when the queue is empty and the consumer idle (or after `timeoutMs`). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface LocalSecrets {
  apiToken: string;
  ingestToken: string;
  actionLinkKey: string;
  /** Integration token secrets by integration name (local-integrations.ts). */
  integrations: Record<string, unknown>;
  /** Notification channel secrets by name: a webhook URL, or {"url", "hmacKey"}. */
  channels: Record<string, unknown>;
  /** Local users: one bearer token per configured person (their role from the config), kept across restarts. */
  users: Record<string, string>;
}

/** A function's handler as the local runtime holds it: its trigger's event and a Lambda-like context in. */
type LocalHandler = (...args: never[]) => Promise<unknown>;

function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** Tokens persist in the data directory so URLs stay valid across restarts; env values win. */
function loadSecrets(dataDir: string, config: PipelineConfig, apiToken?: string, ingestToken?: string): LocalSecrets {
  const file = join(dataDir, 'local-secrets.json');
  let stored: Partial<LocalSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  const secrets: LocalSecrets = {
    apiToken: stored.apiToken ?? newToken(),
    ingestToken: stored.ingestToken ?? newToken(),
    actionLinkKey: stored.actionLinkKey ?? newToken(),
    integrations: withIntegrationTokens(stored.integrations, config.integrations, newToken),
    channels: stored.channels ?? {},
    users: Object.fromEntries(config.people.map((p) => [p.name, stored.users?.[p.name] ?? newToken()])),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600); // the mode above applies only to a new file
  return { ...secrets, apiToken: apiToken || secrets.apiToken, ingestToken: ingestToken || secrets.ingestToken };
}

function acquireLock(dataDir: string): () => void {
  const lock = join(dataDir, 'runtime.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      if (pid && pid !== process.pid) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (alive) throw new ConflictError(`another local runtime (pid ${pid}) is using ${dataDir}; stop it or set DATA_DIR`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  // The data directory holds tokens, live action links and raw bodies (with Events v2 routing keys): owner only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const releaseLock = acquireLock(dataDir);
  let dynamo: EmbeddedDynamo | undefined;
  try {
    const config = options.config;
    const secrets = loadSecrets(dataDir, config, options.apiToken, options.ingestToken);
    dynamo = await startEmbeddedDynamo({ tableName: LOCAL_TABLE, thread: options.dynamoThread === true, ...(options.inMemoryStore ? {} : { path: join(dataDir, 'dynamodb') }) });
    options.hooks?.dynamoClient?.(dynamo.client);
    const store = new DynamoIncidentStore(dynamo.client, LOCAL_TABLE);
    const deadLetterQueue = new DurableQueue(join(dataDir, 'queue', 'alerts-dlq'));
    const queue = new DurableQueue(join(dataDir, 'queue', 'alerts'), { maxReceiveCount: config.processing.maxReceiveCount, deadLetter: deadLetterQueue });
    const archive = new FsRawArchive(join(dataDir, 'archive'));
    const alertQueue = new LocalAlertQueue(queue);
    const deadLetters = new LocalDeadLetters(deadLetterQueue);
    const integrationSecrets = new StaticIntegrationSecrets(() => ({ ...secrets.integrations, [DEFAULT_INTEGRATION]: { token: secrets.ingestToken } }));
    const ingestAuth = ingestAuthenticator(integrationsOf(config.integrations), integrationSecrets);
    const apiTokens = new StaticTokens([secrets.apiToken]);
    const clock = { now: () => new Date() };
    const snsSignatureCheck = options.snsSignatureCheck ?? true;
    const ops = new DynamoOperationsStore(dynamo.client, LOCAL_TABLE);
    const statusStore = new DynamoStatusStore(dynamo.client, LOCAL_TABLE);
    const statusSite = new FsStatusSite(join(dataDir, 'status-site'));
    const port = options.port ?? 3000;
    let publicBaseUrl = `http://localhost:${port}`;
    const channelSecrets = localChannelSecrets(secrets.channels, options.environment ?? process.env);
    const outbox = localOutbox(dataDir, config, channelSecrets);
    const escalationOps = options.hooks?.escalationOps?.(ops) ?? ops;
    const escalationDeps = (): EscalationDeps =>
      localEscalationDeps({ config, store, ops: escalationOps, sender: outbox, clock, publicBaseUrl, actionLinkKey: secrets.actionLinkKey });
    // The functions of the table, each built by its handler factory (a new table entry fails to compile until it
    // has one here); `invoke` calls one the way Lambda does, with the function's timeout (at least 30 s locally, where
    // a shared machine is slower than Lambda).
    const handlers = {} as Record<FunctionName, LocalHandler>;
    const invoke = async (name: FunctionName, event: unknown): Promise<unknown> =>
      (handlers[name] as (e: unknown, c: unknown) => Promise<unknown>)(event, localContext(name, Math.max(30, functionSpec(name).timeoutSeconds ?? 0) * 1000));
    const escalationStep = createEscalationStepHandler(async () => escalationDeps());

    let escalations: LocalEscalationRunner | null = null;
    let pagesOnThread: ProcessorThread | null = null;
    let escalator: Escalator;
    if (options.escalator) escalator = options.escalator;
    else {
      const { definition, tasks } = await synthesizeEscalationStateMachine(config);
      const [inlinePage] = functionsTriggeredBy('async-invoke');
      escalations = new LocalEscalationRunner({
        definition,
        // Each Task state runs the handler of the function it invokes in AWS: payload = the state, result = the next.
        tasks: Object.fromEntries(Object.entries(tasks).map(([state, fn]) => [state, async (payload: EscalationState) => (await invoke(fn, payload)) as EscalationState])),
        // With the processor thread, the inline page runs there (apart from ingest, as the Page function runs apart in
        // AWS), unless a hook of this thread wraps the page's operations store.
        invokePage: (payload) => (pagesOnThread ? pagesOnThread.page(payload) : invoke(inlinePage!, payload)),
        journalPath: join(dataDir, 'escalations.json'),
        timeScale: options.timeScale,
        onError: options.onEscalationError ?? ((name, err) => console.error(`escalation ${name} failed:`, err)),
      });
      escalator = createEscalator({ config, clock, store, transport: escalations });
    }

    const ingestHttp = createIngestHttpHandler({
      config,
      archive,
      queue: alertQueue,
      integrationSecrets,
      sns: new SnsMessageVerifier({
        allowedTopicArns: [...config.sources.cloudwatch.allowedTopicArns, LOCAL_ALARM_TOPIC_ARN],
        skipSignature: !snsSignatureCheck,
        allowAnyTopic: !snsSignatureCheck && config.sources.cloudwatch.allowedTopicArns.length === 0,
      }),
      clock,
      newRequestId: randomUUID,
    });
    const eventIngest = { config, archive, queue: alertQueue, deadLetters, clock };
    // One render at a time; a request during a render runs one more afterwards (coalesced), so every caller sees a
    // page rendered after its change. A failed render is logged: it never fails the batch or the request.
    let rendering: Promise<void> | null = null;
    let again: Promise<void> | null = null;
    // The render is the status-render function's handler (as its status-change trigger invokes it in AWS).
    const statusRender = createStatusRenderHandler({
      config, store, status: statusStore, ops, writer: statusSite, clock, get pageUrl() { return `${publicBaseUrl}/status`; },
    });
    const renderOnce = async () => {
      try {
        await invoke('statusRender', { source: 'alert-pipeline', reason: 'local' });
      } catch (err) {
        console.error('status page render failed:', err);
      }
    };
    const refreshStatus = (): Promise<void> => {
      if (!config.statusPage) return Promise.resolve();
      if (!rendering) {
        rendering = renderOnce().finally(() => { rendering = null; });
        return rendering;
      }
      again ??= rendering.then(() => {
        again = null;
        return refreshStatus();
      });
      return again;
    };
    // The functions that resolve incidents roll them up (and write their history snapshot to DATA_DIR/history/).
    const rollups = new DynamoRollupStore(dynamo.client, LOCAL_TABLE);
    const resolving = storeRecordingResolves(config, store, rollups, () => new FsDocuments(dataDir), () => publicBaseUrl, clock);
    const api = createApiHandlers({
      config, store: resolving, ops, escalator, clock, status: statusStore, onStatusWrite: refreshStatus, rollups,
      linkKeys: new StaticTokens([secrets.actionLinkKey]),
      get publicBaseUrl() {
        return publicBaseUrl;
      },
      newId: randomUUID,
      postmortems: new DynamoPostmortemStore(dynamo.client, LOCAL_TABLE),
      documents: new FsDocuments(join(dataDir, 'documents')),
      rawArchive: archive,
    });
    const processorStore = options.hooks?.processorStore?.(resolving) ?? resolving;
    const standIn = new ConfigAlarmDetails(config.cloudwatchAlarms.local, clock);
    const alarmDetails = options.hooks?.alarmDetails?.(standIn) ?? standIn;
    const secretVersions = new LocalSecretVersions(secrets.integrations, () => persistIntegrationSecrets(join(dataDir, 'local-secrets.json'), secrets.integrations));
    const inThread = createProcessAlertsHandler({ config, store: processorStore, ops, escalator, deadLetters, archive, clock, alarmDetails });
    if (options.processorThread && (options.escalator || options.hooks?.processorStore || options.hooks?.alarmDetails)) {
      throw new InvariantError('processorThread cannot be combined with an escalator or the processorStore and alarmDetails hooks (functions of this thread)');
    }
    const threadData: ProcessorThreadData | null = options.processorThread ? {
      config, dynamoEndpoint: dynamo.endpoint, table: LOCAL_TABLE, dataDir, publicBaseUrl,
      actionLinkKey: secrets.actionLinkKey, channelSecrets: secrets.channels,
      channelEnvironment: Object.fromEntries(Object.entries(options.environment ?? process.env).filter(([k]) => k.startsWith('CHANNEL_SECRET_'))),
      ...(typeof options.processorThread === 'object' ? { hooksModule: options.processorThread.hooksModule } : {}),
    } : null;
    const processorThread = threadData ? new ProcessorThread(threadData, { transport: escalations!, deadLetters }) : null;
    if (!options.hooks?.escalationOps) pagesOnThread = processorThread;
    const processAlerts = processorThread
      ? (event: Parameters<typeof inThread>[0], context: { getRemainingTimeInMillis(): number }) => processorThread.handle(event, context.getRemainingTimeInMillis())
      : inThread;
    const authorizer = createAuthorizerHandler({ tokens: apiTokens, users: { tokens: secrets.users, config } });
    Object.assign(handlers, {
      ingestHttp,
      ingestSns: createIngestSnsHandler(eventIngest),
      ingestEventBridge: createIngestEventBridgeHandler(eventIngest),
      processAlerts,
      escalationStep,
      ...api,
      act: createActHandler({ config, store: resolving, ops, escalator, clock, linkKeys: new StaticTokens([secrets.actionLinkKey]) }),
      sweeper: createSweeperHandler({ config, store: resolving, escalator, clock, alarms: alarmDetails }),
      statusRender,
      // Secrets Manager's rotation events; locally the secret id is the integration's name (invoke it by hand).
      rotateIntegrationToken: createRotateIntegrationTokenHandler({
        config,
        versions: secretVersions,
        secretNames: Object.fromEntries(Object.keys(secrets.integrations).map((n) => [n, n])),
        clock,
        newToken: newIntegrationToken,
      }),
      authorizer: (event: Parameters<typeof authorizer>[0]) => authorizer(event),
    } satisfies Record<FunctionName, LocalHandler>);
    const only = (kind: Parameters<typeof functionsTriggeredBy>[0]) => functionsTriggeredBy(kind)[0]!;
    const processorHandler: SqsHandler = async (event) => {
      const result = await (invoke(only('sqs'), event) as ReturnType<SqsHandler>);
      await refreshStatus();
      return result;
    };

    const consumer = new QueueConsumer(queue, options.hooks?.processor?.(processorHandler) ?? processorHandler, {
      batchSize: config.processing.batchSize,
      batchWindowMs: Math.min(config.processing.batchWindowSeconds * 1000, 200),
      visibilityMs: options.visibilityMs ?? 30_000,
      retryDelayMs: options.retryDelayMs ?? 2_000,
      queueArn: 'arn:aws:sqs:local:000000000000:alerts',
      onError: (err) => console.error('processor batch failed:', err),
    });

    // The local-only bearer routes check a role like the API's routes (403 naming it): reading needs viewer, a redrive admin.
    const withRole = (role: Role, handle: (event: HttpEvent) => Promise<HttpResult>) => async (event: HttpEvent): Promise<HttpResult> => {
      try {
        requireRole(identityOf(event, config), role);
      } catch (err) {
        return errorResponse(err);
      }
      return handle(event);
    };
    const requireIngestToken = (event: HttpEvent) => {
      if (!tokenMatches(event.pathParameters?.token, [secrets.ingestToken])) {
        throw Object.assign(new Error('no such endpoint'), { status: 404 });
      }
    };

    const http = await startHttpServer({
      port,
      // A write through the API or a one-click link (acknowledge, resolve, ...) may change a status: re-render after it.
      handlers: Object.fromEntries(functionsTriggeredBy('http').map((name) => [name, async (event: HttpEvent) => {
        const result = await invoke(name, event);
        if (event.requestContext?.http?.method !== 'GET' && name !== 'ingestHttp') await refreshStatus();
        return result;
      }])) as unknown as Record<HttpFunctionName, HttpHandler>,
      authorizer: (event) => invoke(only('http-authorizer'), event) as ReturnType<typeof authorizer>,
      // Any live integration's token (the handler then checks its source), or the ingest token (the local alarm topic).
      pathTokenValid: async (token) => tokenMatches(token, [secrets.ingestToken]) || ingestAuth.known(token, clock.now().getTime()),
      // The web console at `/` and its /config.json (login: paste a token).
      fallback: (pathname) => consoleFile(options.consoleDir ?? CONSOLE_DIST, pathname),
      extraRoutes: [
        {
          // Local stand-in for publishing to the stack's alarm topic: the body is what CloudWatch publishes (the
          // alarm message JSON); it reaches the same SNS -> Lambda handler as in AWS.
          method: 'POST',
          path: '/local/alarm-topic/{token}',
          auth: 'path-token',
          maxBodyBytes: ALARM_TOPIC_MAX_BODY_BYTES,
          handle: async (event) => {
            try {
              requireIngestToken(event);
            } catch {
              return json(404, { error: { code: 'not_found', message: 'no such ingestion endpoint', details: null } });
            }
            const text = readBody(event, ALARM_TOPIC_MAX_BODY_BYTES);
            let message: unknown;
            try {
              message = parseJson(text);
            } catch (err) {
              return json(400, { error: { code: 'invalid_payload', message: (err as Error).message, details: null } });
            }
            const messageId = randomUUID();
            const published = typeof message === 'string' ? message : JSON.stringify(message);
            const result = (await invoke(only('sns'), snsEvent(LOCAL_ALARM_TOPIC_ARN, published, messageId, clock.now()))) as { accepted: number; deadLettered: number };
            if (result.deadLettered > 0) return json(400, { error: { code: 'invalid_payload', message: 'not a CloudWatch alarm message; sent to the dead-letter queue', details: null } });
            return json(200, { status: 'published', messageId, alerts: result.accepted });
          },
        },
        {
          method: 'GET',
          path: '/local/dead-letters',
          auth: 'bearer',
          handle: withRole('viewer', async () => json(200, { messages: deadLetterQueue.peekAll().map((m) => ({ id: m.id, attributes: m.attributes ?? {}, body: m.body.slice(0, 4000) })) })),
        },
        {
          method: 'POST',
          path: '/local/dead-letters/redrive',
          auth: 'bearer',
          handle: withRole('admin', async () => json(200, { moved: deadLetterQueue.moveAllTo(queue) })),
        },
        {
          method: 'GET',
          path: '/local/outbox',
          auth: 'bearer',
          handle: withRole('viewer', async (event) => json(200, { notifications: outbox.list(200, event.queryStringParameters?.incident) })),
        },
        ...([['/status', STATUS_FILES.html], ['/status.json', STATUS_FILES.json], ['/status/feed.atom', STATUS_FILES.feed]] as const).map(([path, file]) => ({
          method: 'GET' as const,
          path,
          // Public, as the bucket behind CloudFront is in AWS.
          auth: 'none' as const,
          handle: async () => {
            const f = await statusSite.read(file);
            if (!f) return json(404, { error: { code: 'not_found', message: config.statusPage ? 'the status page is not rendered yet' : 'no status page is configured (statusPage in the pipeline config)', details: null } });
            return { statusCode: 200, headers: { 'content-type': f.contentType, 'cache-control': `max-age=${f.cacheSeconds}` }, body: f.body };
          },
        })),
        {
          method: 'GET',
          path: '/healthz',
          // Public liveness; the queue and dead-letter counts only with the API bearer token.
          auth: 'none',
          handle: async (event) => {
            const verdict = await authorizer({ headers: (event.headers ?? {}) as Record<string, string> });
            return json(200, verdict.isAuthorized ? { status: 'ok', queued: queue.size, deadLetters: deadLetterQueue.size } : { status: 'ok' });
          },
        },
      ],
    });
    publicBaseUrl = http.url;
    if (threadData && processorThread) {
      threadData.publicBaseUrl = publicBaseUrl;
      await processorThread.start();
    }
    consumer.start();
    escalations?.resumeAll();
    // Scheduled functions get EventBridge's scheduled event at the table's rate.
    const runScheduled = (name: FunctionName) => invoke(name, scheduledEvent(`${functionSpec(name).id}Schedule`, clock.now()));
    const sweepNow = async () => {
      const result = (await runScheduled('sweeper')) as SweepResult;
      await refreshStatus();
      return result;
    };
    const timers = functionsTriggeredBy('schedule').flatMap((name) => {
      const every = options.sweepIntervalMs ?? triggerOf(name, 'schedule')!.everyMinutes * 60_000;
      return every > 0 ? [setInterval(() => void runScheduled(name).then(refreshStatus).catch((err) => console.error(`${name} failed:`, err)), every)] : [];
    });
    await refreshStatus();
    if (config.statusPage && (options.sweepIntervalMs ?? 1) > 0) timers.push(setInterval(() => void refreshStatus(), 60_000));

    let stopped = false;
    return {
      url: http.url,
      apiToken: secrets.apiToken,
      ingestToken: secrets.ingestToken,
      async rotateIntegrationToken(integration: string) {
        const versionId = randomUUID();
        secretVersions.begin(integration, versionId);
        for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
          await invoke('rotateIntegrationToken', { Step, SecretId: integration, ClientRequestToken: versionId });
        }
      },
      get integrationTokens() {
        return currentTokens(secrets.integrations);
      },
      userTokens: secrets.users,
      config,
      dataDir,
      store,
      queue,
      deadLetterQueue,
      snsSignatureCheck,
      ops,
      status: statusStore,
      refreshStatus,
      outbox,
      escalations,
      processorThread,
      sweepNow,
      alarmDetails,
      invoke,
      drain: async (timeoutMs = 30_000) => {
        const deadline = Date.now() + timeoutMs;
        let quietSince = 0;
        while (Date.now() < deadline) {
          // Every message deleted or dead-lettered: a failed record waiting (invisible) for its retry is not drained.
          if (consumer.idle && queue.size === 0) {
            if (!quietSince) quietSince = Date.now();
            if (Date.now() - quietSince > 50) return;
          } else quietSince = 0;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new TransientError(`queue did not drain in ${timeoutMs} ms (${queue.size} messages left)`);
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const timer of timers) clearInterval(timer);
        await http.close();
        await consumer.stop();
        await processorThread?.close();
        await again;
        await rendering;
        escalations?.stopAll();
        queue.close();
        deadLetterQueue.close();
        await dynamo?.close();
        releaseLock();
      },
    };
  } catch (err) {
    await dynamo?.close();
    releaseLock();
    throw err;
  }
}
