/**
 * AlertPipelineStack: the stateless half (functions, queue, topic, API, secrets). Wiring only: every resource
 * comes from a construct under lib/constructs; this file says which function gets which environment variable,
 * which permission and which event source. Safe to destroy and redeploy (the data lives in AlertDataStack).
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { channelSecret } from '../../lambdas/core/notify/channels';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';
import { HTTP_ROUTES } from '../../lambdas/handlers/routes';
import { EVENTBRIDGE_INGEST_PATH, SOURCE_DESCRIPTORS, SOURCE_ROUTES, sourceOptionsOf } from '../../lambdas/core/normalize/registry';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { AlarmIngest } from '../constructs/alarm-ingest';
import { EscalationStateMachine } from '../constructs/escalation-state-machine';
import { AlarmTopic } from '../constructs/alarm-topic';
import { AlertQueue } from '../constructs/alert-queue';
import { iam5ResourceFinding } from '../constructs/nag-finding';
import { PROCESSOR_DEFAULTS } from '../constructs/defaults';
import { PipelineFunction } from '../constructs/pipeline-function';
import { TokenSecret } from '../constructs/token-secret';
import { WebhookApi } from '../constructs/webhook-api';

export interface AlertPipelineStackProps extends StackProps {
  /** The validated pipeline config (it is also inlined into every function bundle). */
  readonly pipelineConfig: PipelineConfig;
  /** The incident table of AlertDataStack. */
  readonly table: ITable;
  /** The raw archive bucket of AlertDataStack. */
  readonly archiveBucket: IBucket;
}

/** Prefix of the raw archive the ingest functions may write to. */
export const ARCHIVE_RAW_PREFIX = 'raw/';

/** Placeholder for the token in output URL templates: outputs never carry a secret. */
export const INGEST_TOKEN_PLACEHOLDER = '<INGEST_TOKEN>';

const FUNCTION_ENTRIES = {
  ingestHttp: 'lambdas/handlers/ingest-http.ts',
  ingestSns: 'lambdas/handlers/ingest-sns.ts',
  ingestEventBridge: 'lambdas/handlers/ingest-eventbridge.ts',
  processAlerts: 'lambdas/handlers/process-alerts.ts',
  api: 'lambdas/handlers/api.ts',
  authorizer: 'lambdas/handlers/authorizer.ts',
  escalationStep: 'lambdas/handlers/escalation-step.ts',
  act: 'lambdas/handlers/act.ts',
  sweeper: 'lambdas/handlers/sweeper.ts',
} as const;

/** Secrets Manager names of notification channel secrets start with this (see docs/deploy.md, "Channels"). */
export const CHANNEL_SECRET_PREFIX = 'alert-pipeline/channels/';

export class AlertPipelineStack extends Stack {
  public readonly alarmTopic: AlarmTopic;
  public readonly alertQueue: AlertQueue;
  public readonly ingestToken: TokenSecret;
  public readonly apiToken: TokenSecret;
  public readonly functions: Readonly<Record<keyof typeof FUNCTION_ENTRIES, PipelineFunction | undefined>>;
  public readonly webhookApi: WebhookApi;
  public readonly alarmIngest: AlarmIngest;
  public readonly actionLinkKey: TokenSecret;
  public readonly escalation: EscalationStateMachine;
  /** SNS topics of people's email contacts, by person. */
  public readonly emailTopics: Readonly<Record<string, sns.Topic>>;
  /** The key of the email topics (null when nobody has an email contact). */
  public readonly emailTopicKey: kms.Key | null;

  constructor(scope: Construct, id: string, props: AlertPipelineStackProps) {
    super(scope, id, props);
    const config = props.pipelineConfig;
    const { table, archiveBucket } = props;

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic');
    const topic = this.alarmTopic.topic;

    this.alertQueue = new AlertQueue(this, 'AlertQueue', {
      maxReceiveCount: config.processing.maxReceiveCount,
      consumerTimeout: PROCESSOR_DEFAULTS.timeout,
      alarmTopic: topic,
    });
    const { queue, deadLetterQueue } = this.alertQueue;

    this.ingestToken = new TokenSecret(this, 'IngestToken', {
      description: 'Alert pipeline ingest token: the {token} of /ingest/*/{token} and the routing_key of /ingest/events/v2',
    });
    this.apiToken = new TokenSecret(this, 'ApiToken', {
      description: 'Alert pipeline API token: "Authorization: Bearer <token>" on /api/*',
    });

    const fn = (id: string, entry: string, extra: Partial<ConstructorParameters<typeof PipelineFunction>[2]> = {}) =>
      new PipelineFunction(this, id, { entry, pipelineConfig: config, ...extra });
    const ingestEnvironment = { [ENV.queueUrl]: queue.queueUrl, [ENV.archiveBucket]: archiveBucket.bucketName };

    // Ingestion over HTTPS: Threat Stack, SNS HTTPS subscriptions, Events API v2, Alertmanager.
    const ingestHttp = fn('IngestHttp', FUNCTION_ENTRIES.ingestHttp, {
      description: 'HTTP ingestion: checks the ingest token, archives the raw payload, enqueues the alerts',
      environment: {
        ...ingestEnvironment,
        [ENV.ingestTokenSecretId]: this.ingestToken.secret.secretArn,
        [ENV.snsAllowedTopicArns]: [...config.sources.cloudwatch.allowedTopicArns, topic.topicArn].join(','),
      },
    });
    this.grantIngest(ingestHttp, queue, archiveBucket);
    this.ingestToken.secret.grantRead(ingestHttp);

    // CloudWatch alarms of this account: alarm topic -> Lambda (and optionally EventBridge -> Lambda).
    const ingestSns = fn('IngestSns', FUNCTION_ENTRIES.ingestSns, {
      description: 'Alarm topic ingestion: archives and enqueues CloudWatch alarm notifications',
      // Records that can never be valid go straight to the DLQ (the async-invoke DLQ grant covers SendMessage).
      environment: { ...ingestEnvironment, [ENV.deadLetterQueueUrl]: deadLetterQueue.queueUrl },
      deadLetterQueue,
    });
    this.grantIngest(ingestSns, queue, archiveBucket);

    // The EventBridge rules the config asks for, one per source (sources.<source>.eventBridgeRule).
    const eventBridgeRules = SOURCE_DESCRIPTORS.flatMap((d) => {
      const rule = d.eventBridgeRule;
      if (!rule?.enabled(sourceOptionsOf(d, config.sources))) return [];
      const types = d.eventBridge ?? [];
      const eventPattern = { source: [...new Set(types.map((t) => t.source))], detailType: types.map((t) => t.detailType) };
      return [{ id: rule.id, description: rule.description, eventPattern }];
    });
    let ingestEventBridge: PipelineFunction | undefined;
    if (eventBridgeRules.length > 0) {
      ingestEventBridge = fn('IngestEventBridge', FUNCTION_ENTRIES.ingestEventBridge, {
        description: 'EventBridge ingestion: archives and enqueues the events of the EventBridge rules (CloudWatch alarms, security findings)',
        environment: { ...ingestEnvironment, [ENV.deadLetterQueueUrl]: deadLetterQueue.queueUrl },
        deadLetterQueue,
      });
      this.grantIngest(ingestEventBridge, queue, archiveBucket);
    }
    this.alarmIngest = new AlarmIngest(this, 'AlarmIngest', {
      topic,
      snsFunction: ingestSns,
      eventBridgeFunction: ingestEventBridge,
      eventBridgeRules,
      deadLetterQueue,
    });

    // Processing: the queue's consumer writes incidents, and sends poison messages to the DLQ itself.
    const processAlerts = fn('ProcessAlerts', FUNCTION_ENTRIES.processAlerts, {
      description: 'Processes queued alerts: dedup, classify, route, open or update incidents',
      environment: { [ENV.tableName]: table.tableName, [ENV.deadLetterQueueUrl]: deadLetterQueue.queueUrl },
      memorySize: PROCESSOR_DEFAULTS.memorySize,
      timeout: PROCESSOR_DEFAULTS.timeout,
    });
    this.grantTableReadWrite(processAlerts, table);
    deadLetterQueue.grantSendMessages(processAlerts);
    const { batchSize, batchWindowSeconds } = config.processing;
    this.alertQueue.addConsumer(processAlerts, {
      batchSize,
      maxBatchingWindow: batchWindowSeconds > 0 ? Duration.seconds(batchWindowSeconds) : undefined,
      maxConcurrency: PROCESSOR_DEFAULTS.maxConcurrency,
    });

    // Escalation: the Page step, the state machine, one-click links, notification channels.
    this.actionLinkKey = new TokenSecret(this, 'ActionLinkKey', {
      description: 'Alert pipeline: HMAC key of one-click action links and calendar feed URLs ({"token": "..."})',
    });
    const emailTopics: Record<string, sns.Topic> = {};
    // The email topics are encrypted with a key this stack owns (rotated yearly), so the Page step can be granted
    // exactly that key: the AWS-managed alias/aws/sns cannot be named by ARN in a policy (grantPublish would need
    // kms:GenerateDataKey* on key/*).
    const hasEmail = config.people.some((p) => p.contacts.some((c) => c.type === 'email'));
    this.emailTopicKey = hasEmail
      ? new kms.Key(this, 'EmailTopicKey', {
        description: 'Alert pipeline: encrypts the SNS topics that email pages to people',
        enableKeyRotation: true,
      })
      : null;
    for (const person of config.people) {
      const emails = person.contacts.filter((c) => c.type === 'email');
      if (emails.length === 0 || !this.emailTopicKey) continue;
      const topic = new sns.Topic(this, `EmailTopic-${person.name}`, {
        displayName: `Alert pipeline pages for ${person.displayName ?? person.name}`,
        masterKey: this.emailTopicKey,
        enforceSSL: true,
      });
      for (const c of emails) topic.addSubscription(new subscriptions.EmailSubscription(c.address));
      emailTopics[person.name] = topic;
    }
    this.emailTopics = emailTopics;
    const hasSms = config.people.some((p) => p.contacts.some((c) => c.type === 'sms'));

    const escalationStep = fn('EscalationStep', FUNCTION_ENTRIES.escalationStep, {
      description: 'Escalation Page step: re-checks the incident, pages one level, records every delivery attempt',
      timeout: Duration.minutes(5), // a page over a channel's rate cap waits up to 3 min for room (RATE_CAP_MAX_WAIT_MS)
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.actionLinkSecretId]: this.actionLinkKey.secret.secretArn,
        [ENV.emailTopicArns]: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(emailTopics).map(([k, t]) => [k, t.topicArn]))),
        [ENV.channelSecretPrefix]: CHANNEL_SECRET_PREFIX,
      },
    });
    this.grantTableReadWrite(escalationStep, table);
    this.actionLinkKey.secret.grantRead(escalationStep);
    if (this.emailTopicKey) {
      // Publishing to an encrypted topic: sns:Publish on these topics and, on this one key, the two KMS calls SNS
      // makes with the publisher's credentials. Written out rather than grantPublish, which adds kms:GenerateDataKey*.
      escalationStep.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['sns:Publish'], resources: Object.values(emailTopics).map((t) => t.topicArn),
      }));
      escalationStep.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.emailTopicKey.keyArn],
      }));
    }
    // Read access to exactly the secrets of the configured channels whose type needs one (the channel registry says
    // which): `<prefix><secret>-??????` matches the six characters Secrets Manager appends to a secret's ARN.
    const channelSecretNames = [...new Set(config.channels.map(channelSecret).filter((s): s is string => s !== null))];
    if (channelSecretNames.length > 0) {
      const { partition, region, account } = Stack.of(this);
      escalationStep.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: channelSecretNames.map((name) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${CHANNEL_SECRET_PREFIX}${name}-??????`),
      }));
    }
    if (hasSms) {
      escalationStep.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
      Validations.of(escalationStep.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'SMS pages are published to phone numbers, which have no ARN: sns:Publish needs Resource "*" (the only action granted on it).',
      });
    }

    this.escalation = new EscalationStateMachine(this, 'Escalation', { stepFunction: escalationStep.function });
    const stateMachine = this.escalation.stateMachine;
    const escalationEnv = {
      [ENV.stateMachineArn]: stateMachine.stateMachineArn,
      [ENV.escalationFunctionName]: escalationStep.function.functionName,
    };
    const grantEscalate = (f: PipelineFunction) => {
      stateMachine.grantStartExecution(f);
      f.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['states:StopExecution'],
        resources: [`arn:${Stack.of(this).partition}:states:${Stack.of(this).region}:${Stack.of(this).account}:execution:${stateMachine.stateMachineName}:*`],
      }));
      escalationStep.function.grantInvoke(f);
      Validations.of(f.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(stateMachine.node.defaultChild as never)}.Name>:*]`,
        reason: 'Executions are named per incident at run time (<incident id>-r<run>): stopping one needs the execution ARN prefix of this one state machine.',
      });
      Validations.of(f.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(escalationStep.function.node.defaultChild as never)}.Arn>:*]`,
        reason: 'Added by grantInvoke for function versions and aliases of the escalation-step function only.',
      });
    };
    for (const f of [processAlerts]) {
      for (const [k, v] of Object.entries(escalationEnv)) f.addEnvironment(k, v);
      grantEscalate(f);
    }

    // The human API and its authorizer.
    const api = fn('Api', FUNCTION_ENTRIES.api, {
      description: 'Incident API (/api/*)',
      environment: { [ENV.tableName]: table.tableName, [ENV.actionLinkSecretId]: this.actionLinkKey.secret.secretArn, ...escalationEnv },
    });
    this.grantTableReadWrite(api, table);
    this.actionLinkKey.secret.grantRead(api);
    grantEscalate(api);
    const act = fn('Act', FUNCTION_ENTRIES.act, {
      description: 'One-click action links (/act/*) and calendar feeds (/ical/*)',
      environment: { [ENV.tableName]: table.tableName, [ENV.actionLinkSecretId]: this.actionLinkKey.secret.secretArn, ...escalationEnv },
    });
    this.grantTableReadWrite(act, table);
    this.actionLinkKey.secret.grantRead(act);
    grantEscalate(act);
    const sweeper = fn('Sweeper', FUNCTION_ENTRIES.sweeper, {
      description: 'Every minute: maintenance windows that ended, snoozes that ended, auto-resolve of quiet incidents',
      timeout: Duration.seconds(60),
      environment: { [ENV.tableName]: table.tableName, ...escalationEnv },
    });
    this.grantTableReadWrite(sweeper, table);
    grantEscalate(sweeper);
    new events.Rule(this, 'SweeperSchedule', {
      description: 'Runs the alert pipeline sweeper every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new eventTargets.LambdaFunction(sweeper.function, { retryAttempts: 2 })],
    });
    const authorizer = fn('Authorizer', FUNCTION_ENTRIES.authorizer, {
      description: 'Bearer token authorizer of /api/*',
      environment: { [ENV.apiTokenSecretId]: this.apiToken.secret.secretArn },
    });
    this.apiToken.secret.grantRead(authorizer);

    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      routes: HTTP_ROUTES,
      handlers: { ingestHttp, api, act },
      authorizerFunction: authorizer,
    });
    // Links in notifications and calendar feed URLs point at the API.
    const publicBaseUrl = this.webhookApi.url.replace(/\/$/, '');
    for (const f of [escalationStep, api]) f.addEnvironment(ENV.publicBaseUrl, publicBaseUrl);

    this.functions = { ingestHttp, ingestSns, ingestEventBridge, processAlerts, api, authorizer, escalationStep, act, sweeper };
    this.addOutputs();
  }

  /** Ingest functions: send to the alert queue and write raw payloads under `raw/` of the archive. Nothing else. */
  private grantIngest(fn: PipelineFunction, queue: AlertQueue['queue'], archiveBucket: IBucket): void {
    queue.grantSendMessages(fn);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [archiveBucket.arnForObjects(`${ARCHIVE_RAW_PREFIX}*`)] }),
    );
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, archiveBucket, archiveBucket.bucketArn, `/${ARCHIVE_RAW_PREFIX}*`),
      reason:
        'Each accepted delivery is archived as a new object under raw/<source>/<yyyy>/<mm>/<dd>/<hh>/, so the object ARN must be a prefix ' +
        'wildcard; the action is s3:PutObject only and the prefix is raw/, not the whole bucket.',
    });
  }

  /** Table read/write, including its indexes (the grant adds `<table>/index/*`). */
  private grantTableReadWrite(fn: PipelineFunction, table: ITable): void {
    table.grantReadWriteData(fn);
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, table, table.tableArn, '/index/*'),
      reason:
        `Added by table.grantReadWriteData: the handlers query the table's GSIs (${INCIDENT_TABLE.indexes.map((ix) => ix.indexName).join(', ')}), ` +
        'whose ARNs are <table>/index/<name>; the wildcard covers only the indexes of this one table.',
    });
  }

  private addOutputs(): void {
    const base = this.webhookApi.url;
    const template = (path: string) => `${base}${path.replace(/^\//, '').replace('{token}', INGEST_TOKEN_PLACEHOLDER)}`;
    // Output descriptions must be literal strings in CloudFormation, so the hint names the output, not the ARN.
    const secretHint = (output: string) =>
      `read the token with: aws secretsmanager get-secret-value --secret-id <${output}> --query SecretString --output text | jq -r .token`;
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });

    out('ApiUrl', base, 'Base URL of the pipeline API (API Gateway HTTP API, $default stage)');
    // One output per source route that declares one (the source registry).
    for (const { route } of SOURCE_ROUTES) if (route.output) out(route.output.id, template(route.path), route.output.description);
    out('EventBridgeIngestUrl', template(EVENTBRIDGE_INGEST_PATH), `EventBridge API destination endpoint (events forwarded from other accounts): replace ${INGEST_TOKEN_PLACEHOLDER} with the ingest token`);
    out('AlarmTopicArn', this.alarmTopic.topic.topicArn, 'SNS topic for CloudWatch alarm actions in this account and Region');
    out('IngestTokenSecretArn', this.ingestToken.secret.secretArn, `Ingest token secret; ${secretHint('IngestTokenSecretArn')}`);
    out('ApiTokenSecretArn', this.apiToken.secret.secretArn, `API bearer token secret; ${secretHint('ApiTokenSecretArn')}`);
    out('AlertQueueUrl', this.alertQueue.queue.queueUrl, 'Alert queue (SQS)');
    out('AlertQueueArn', this.alertQueue.queue.queueArn, 'Alert queue ARN (destination of a DLQ redrive)');
    out('DeadLetterQueueUrl', this.alertQueue.deadLetterQueue.queueUrl, 'Dead-letter queue: alerts that could not be processed');
    out('DeadLetterQueueArn', this.alertQueue.deadLetterQueue.queueArn, 'Dead-letter queue ARN (source of a DLQ redrive)');
  }
}
