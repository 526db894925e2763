/**
 * The function table: every Lambda function of the pipeline, declared once. The CDK stack
 * (lib/stacks/alert-pipeline-stack.ts) creates each function, its environment, its grants and its triggers from
 * this table; the local runtime (lambdas/local/runtime.ts) builds the same handler of each function and drives it
 * the way its trigger does in AWS. A shared contract like routes.ts and env-names.ts: plain data, no handler code
 * (entries are file paths), so lib/ can import it without pulling in the Lambda runtime. The HTTP routes of a
 * function with an `http` trigger are the entries of HTTP_ROUTES (routes.ts) that name it.
 */
import type { ENV } from './shared/env-names';

/** An environment variable a function reads (names in env-names.ts); the stack supplies the value. */
export type EnvKey = Exclude<keyof typeof ENV, 'pipelineConfigJson'>;

/** A permission, as data; the stack turns each into IAM grants on the resource it names. */
export type Grant =
  | 'table:read-write' // the incident table and its indexes
  | 'table:read-write-no-delete' // the same without dynamodb:DeleteItem (functions that never delete an item)
  | 'alert-queue:send'
  | 'dead-letter-queue:send'
  | 'archive:put-raw' // s3:PutObject under raw/ of the raw archive
  | 'archive:get-raw' // s3:GetObject under raw/ of the raw archive (the console's raw payload of an alert)
  | 'archive:postmortems' // s3:PutObject and s3:GetObject under postmortems/ of the archive bucket
  | 'archive:history' // s3:PutObject under history/ of the archive bucket (only with insights.history.enabled)
  | 'ingest-token:read' // Secrets Manager secrets, read-only
  | 'integration-tokens:read' // the token secret of every live integration of the config (not the revoked ones)
  | 'integration-tokens:rotate' // the rotation calls (describe, read, put pending, move AWSCURRENT) on those secrets
  | 'api-token:read'
  | 'action-link-key:read'
  | 'channel-secrets:read' // every secret under the channel secret prefix
  | 'email-topics:publish' // the SNS topics of people's email contacts
  | 'sms:publish' // SNS direct publish to phone numbers (only when someone has an SMS contact)
  | 'escalation:start-stop' // start and stop executions of the state machine, invoke the escalation step
  | 'status-site:put' // s3:PutObject on the status-site bucket (the rendered public status files)
  | 'status-render:invoke' // asynchronous invoke of the status-render function (StatusNotifier), when deployed
  | 'cloudwatch-alarms:tags-and-describe' // cloudwatch:ListTagsForResource and DescribeAlarms on this account's alarms (enrichment)
  | 'cloudwatch-alarms:describe'; // cloudwatch:DescribeAlarms on this account's alarms (the sweeper's reconciliation)

/** What invokes a function, and with which event. */
export type Trigger =
  /** API Gateway HTTP API (payload 2.0): the routes of HTTP_ROUTES whose `fn` is this function. */
  | { kind: 'http' }
  /** The Lambda authorizer of the `bearer` routes (API token); in AWS only without an `access` section, which puts
   *  API Gateway's JWT authorizer there instead (lib/constructs/identity.ts). The local runtime always runs it. */
  | { kind: 'http-authorizer'; when: 'noAccess' }
  /** SQS event source on the alert queue (partial batch responses; batch size and window from config.processing). */
  | { kind: 'sqs'; queue: 'alerts' }
  /** SNS -> Lambda subscription on the stack's alarm topic. */
  | { kind: 'sns'; topic: 'alarms' }
  /** The EventBridge rules on the default bus that the stack derives from the source registry (one per source whose
   *  `sources.<source>.eventBridgeRule` is on: CloudWatch alarm state changes, GuardDuty and Security Hub findings). */
  | { kind: 'eventbridge'; rules: 'source-registry' }
  /** An EventBridge schedule: a "Scheduled Event" every `everyMinutes` minutes (`when`: only with that config section). */
  | { kind: 'schedule'; everyMinutes: number; when?: 'statusPage' }
  /** Invoked asynchronously through the StatusNotifier port by the functions granted `status-render:invoke`, when a
   *  component's status may have changed (only with a `statusPage` section). */
  | { kind: 'status-change'; when: 'statusPage' }
  /** A Task state of the escalation state machine (Lambda invoke, payload = the state input, result = its output). */
  | { kind: 'state-machine-task'; state: 'Page' }
  /** Invoked asynchronously by other functions (Lambda event invoke of the escalation's inline page). */
  | { kind: 'async-invoke' }
  /** Secrets Manager's rotation of the integration token secrets (only when the config has a live integration). */
  | { kind: 'secrets-rotation'; secrets: 'integration-tokens' };

export interface FunctionSpec {
  /** Construct id in the stack (logical ids start with it). */
  readonly id: string;
  /** Handler file, relative to the repository root; it exports `handler` (and a `create...Handler` factory). */
  readonly entry: string;
  readonly description: string;
  readonly environment: readonly EnvKey[];
  readonly grants: readonly Grant[];
  readonly triggers: readonly Trigger[];
  /** Memory in MB (default 256). */
  readonly memorySize?: number;
  /** Timeout in seconds (default 10). */
  readonly timeoutSeconds?: number;
  /** Failed asynchronous invocations (after Lambda's retries) go to the dead-letter queue. */
  readonly asyncDeadLetterQueue?: boolean;
  /** Deployed only when the config enables one of its triggers (default: always deployed). */
  readonly optional?: boolean;
  /**
   * CEL reaches this function only through the webhook mapping of the source registry: built for a config without
   * webhooks, its bundle leaves CEL out (lib/constructs/defaults.ts `bundleAliases`; test/architecture checks the flag).
   */
  readonly celOnlyForWebhooks?: boolean;
  /**
   * X-Ray: `active` samples the function's own invocations (one request a second and 5 % of the rest);
   * `pass-through` traces only an invocation whose caller sent a sampled trace header. Default `active`.
   */
  readonly tracing?: 'active' | 'pass-through';
}

const INGEST_ENV = ['queueUrl', 'archiveBucket'] as const satisfies readonly EnvKey[];
const INGEST_GRANTS = ['alert-queue:send', 'archive:put-raw'] as const satisfies readonly Grant[];
const ESCALATE_ENV = ['stateMachineArn', 'escalationFunctionName'] as const satisfies readonly EnvKey[];
/** Functions that change incidents tell the status page (an asynchronous invoke of status-render, when deployed). */
const NOTIFY_ENV = ['statusRenderFunctionName'] as const satisfies readonly EnvKey[];
/** What the functions that resolve incidents need for the history snapshot of a resolved incident (docs/insights.md). */
const RESOLVE_ENV = ['archiveBucket', 'publicBaseUrl'] as const satisfies readonly EnvKey[];

export const FUNCTIONS = {
  ingestHttp: {
    id: 'IngestHttp',
    entry: 'lambdas/handlers/ingest-http.ts',
    description: 'HTTP ingestion: checks the ingest token, archives the raw payload, enqueues the alerts',
    environment: [...INGEST_ENV, 'ingestTokenSecretId', 'integrationTokenSecrets', 'snsAllowedTopicArns'],
    grants: [...INGEST_GRANTS, 'ingest-token:read', 'integration-tokens:read'],
    triggers: [{ kind: 'http' }],
    celOnlyForWebhooks: true,
    // One invocation per delivery: at one alert per request, active tracing was $0.25 per million alerts of X-Ray
    // traces (docs/deploy.md §12). HTTP API passes no trace header, so these are traced only from a traced caller.
    tracing: 'pass-through',
  },
  ingestSns: {
    id: 'IngestSns',
    entry: 'lambdas/handlers/ingest-sns.ts',
    description: 'Alarm topic ingestion: archives and enqueues CloudWatch alarm notifications',
    // Records that can never be valid go straight to the DLQ (the async-invoke DLQ grant covers SendMessage).
    environment: [...INGEST_ENV, 'deadLetterQueueUrl'],
    grants: INGEST_GRANTS,
    triggers: [{ kind: 'sns', topic: 'alarms' }],
    asyncDeadLetterQueue: true,
    // One invocation per delivery: at one alert per request, active tracing was $0.25 per million alerts of X-Ray
    // traces (docs/deploy.md §12). HTTP API passes no trace header, so these are traced only from a traced caller.
    tracing: 'pass-through',
  },
  ingestEventBridge: {
    id: 'IngestEventBridge',
    entry: 'lambdas/handlers/ingest-eventbridge.ts',
    description: 'EventBridge ingestion: archives and enqueues the events of the EventBridge rules (CloudWatch alarms, security findings)',
    environment: [...INGEST_ENV, 'deadLetterQueueUrl'],
    grants: INGEST_GRANTS,
    triggers: [{ kind: 'eventbridge', rules: 'source-registry' }],
    asyncDeadLetterQueue: true,
    optional: true,
    celOnlyForWebhooks: true,
    // One invocation per delivery: at one alert per request, active tracing was $0.25 per million alerts of X-Ray
    // traces (docs/deploy.md §12). HTTP API passes no trace header, so these are traced only from a traced caller.
    tracing: 'pass-through',
  },
  processAlerts: {
    id: 'ProcessAlerts',
    entry: 'lambdas/handlers/process-alerts.ts',
    description: 'Processes queued alerts: archives their raw bodies per batch, dedup, classify, route, open or update incidents',
    environment: ['tableName', 'deadLetterQueueUrl', ...ESCALATE_ENV, ...NOTIFY_ENV, ...RESOLVE_ENV],
    grants: ['table:read-write', 'dead-letter-queue:send', 'escalation:start-stop', 'status-render:invoke', 'cloudwatch-alarms:tags-and-describe', 'archive:history', 'archive:put-raw'],
    triggers: [{ kind: 'sqs', queue: 'alerts' }],
    memorySize: 512,
    timeoutSeconds: 60,
  },
  escalationStep: {
    id: 'EscalationStep',
    entry: 'lambdas/handlers/escalation-step.ts',
    description: 'Escalation Page step: re-checks the incident, pages one level, records every delivery attempt',
    environment: ['tableName', 'actionLinkSecretId', 'emailTopicArns', 'channelSecretPrefix', 'publicBaseUrl'],
    grants: ['table:read-write', 'action-link-key:read', 'email-topics:publish', 'channel-secrets:read', 'sms:publish'],
    triggers: [{ kind: 'state-machine-task', state: 'Page' }, { kind: 'async-invoke' }],
    timeoutSeconds: 300, // a page over a channel's rate cap waits up to 3 min for room (RATE_CAP_MAX_WAIT_MS)
  },
  api: {
    id: 'Api',
    entry: 'lambdas/handlers/api.ts',
    description: 'Incident API: list, read and act on incidents (/api/incidents*, /api/me)',
    environment: ['tableName', ...ESCALATE_ENV, ...NOTIFY_ENV, ...RESOLVE_ENV],
    grants: ['table:read-write-no-delete', 'escalation:start-stop', 'status-render:invoke', 'archive:history'],
    triggers: [{ kind: 'http' }],
  },
  apiReports: {
    id: 'ApiReports',
    entry: 'lambdas/handlers/api-reports.ts',
    description: 'Incident API reports: insights, export, postmortems, raw payloads',
    environment: ['tableName', 'archiveBucket', 'publicBaseUrl'],
    grants: ['table:read-write-no-delete', 'archive:postmortems', 'archive:get-raw'],
    triggers: [{ kind: 'http' }],
  },
  apiAdmin: {
    id: 'ApiAdmin',
    entry: 'lambdas/handlers/api-admin.ts',
    description: 'Incident API administration: services, on-call, schedule overrides, maintenance windows, status page',
    environment: ['tableName', 'actionLinkSecretId', 'publicBaseUrl', ...NOTIFY_ENV],
    grants: ['table:read-write', 'action-link-key:read', 'status-render:invoke'],
    triggers: [{ kind: 'http' }],
  },
  act: {
    id: 'Act',
    entry: 'lambdas/handlers/act.ts',
    description: 'One-click action links (/act/*) and calendar feeds (/ical/*)',
    environment: ['tableName', 'actionLinkSecretId', ...ESCALATE_ENV, ...NOTIFY_ENV, ...RESOLVE_ENV],
    grants: ['table:read-write', 'action-link-key:read', 'escalation:start-stop', 'status-render:invoke', 'archive:history'],
    triggers: [{ kind: 'http' }],
  },
  sweeper: {
    id: 'Sweeper',
    entry: 'lambdas/handlers/sweeper.ts',
    description: 'Every minute: maintenance windows that ended, snoozes that ended, auto-resolve of quiet incidents, CloudWatch alarms back in OK',
    environment: ['tableName', ...ESCALATE_ENV, ...NOTIFY_ENV, ...RESOLVE_ENV],
    grants: ['table:read-write-no-delete', 'escalation:start-stop', 'status-render:invoke', 'cloudwatch-alarms:describe', 'archive:history'],
    triggers: [{ kind: 'schedule', everyMinutes: 1 }],
    timeoutSeconds: 60,
  },
  statusRender: {
    id: 'StatusRender',
    entry: 'lambdas/handlers/status-render.ts',
    description: 'Status page: derives component statuses, renders the public HTML, JSON and Atom files to the status-site bucket',
    environment: ['tableName', 'statusSiteBucket', 'statusPageUrl'],
    grants: ['table:read-write', 'status-site:put'],
    triggers: [{ kind: 'schedule', everyMinutes: 5, when: 'statusPage' }, { kind: 'status-change', when: 'statusPage' }],
    timeoutSeconds: 60,
    optional: true,
  },
  rotateIntegrationToken: {
    id: 'RotateIntegrationToken',
    entry: 'lambdas/handlers/rotate-integration-token.ts',
    description: 'Rotates an integration token secret (Secrets Manager rotation): new token current, the old one valid for the grace period',
    environment: ['integrationTokenSecrets'],
    grants: ['integration-tokens:rotate'],
    triggers: [{ kind: 'secrets-rotation', secrets: 'integration-tokens' }],
    optional: true,
  },
  authorizer: {
    id: 'Authorizer',
    entry: 'lambdas/handlers/authorizer.ts',
    description: 'Bearer token authorizer of /api/*',
    environment: ['apiTokenSecretId'],
    grants: ['api-token:read'],
    triggers: [{ kind: 'http-authorizer', when: 'noAccess' }],
    optional: true,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Every function name, in table order. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** The spec of a function, widened to FunctionSpec (the table itself keeps literal types). */
export function functionSpec(name: FunctionName): FunctionSpec {
  return FUNCTIONS[name];
}

/** The functions deployed, in table order: all but the optional ones none of whose triggers the config enables. */
export function enabledFunctions(triggerEnabled: (trigger: Trigger) => boolean): FunctionName[] {
  return FUNCTION_NAMES.filter((name) => {
    const spec = functionSpec(name);
    return !spec.optional || spec.triggers.some(triggerEnabled);
  });
}

/** The trigger of a kind of a function, if it has one. */
export function triggerOf<K extends Trigger['kind']>(name: FunctionName, kind: K): Extract<Trigger, { kind: K }> | undefined {
  return functionSpec(name).triggers.find((t): t is Extract<Trigger, { kind: K }> => t.kind === kind);
}

/** The functions with a trigger of this kind. */
export function functionsTriggeredBy(kind: Trigger['kind']): FunctionName[] {
  return FUNCTION_NAMES.filter((name) => triggerOf(name, kind) !== undefined);
}

/** The functions with an `http` trigger: the only names a route of HTTP_ROUTES may give as its `fn`. */
export type HttpFunctionName = {
  [N in FunctionName]: Extract<(typeof FUNCTIONS)[N]['triggers'][number], { kind: 'http' }> extends never ? never : N;
}[FunctionName];
