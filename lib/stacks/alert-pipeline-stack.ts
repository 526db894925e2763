/**
 * AlertPipelineStack: the stateless half (functions, queue, topic, API, secrets). Wiring only: every resource
 * comes from a construct under lib/constructs, and every function, its environment variables, permissions and
 * event sources from the function table (lambdas/handlers/functions.ts); this file turns the table's names into
 * resources. Safe to destroy and redeploy (the data, the tokens and the link key live in AlertDataStack, read here
 * by name: lib/constructs/shared-value.ts).
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { channelSecret } from '../../lambdas/core/notify/channels';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';
import { InvariantError } from '../../lambdas/core/errors';
import {
  enabledFunctions, FUNCTION_NAMES, functionSpec, functionsTriggeredBy, triggerOf, type EnvKey, type FunctionName, type Grant, type Trigger,
} from '../../lambdas/handlers/functions';
import { HTTP_ROUTES, type HttpFunctionName } from '../../lambdas/handlers/routes';
import { EVENTBRIDGE_INGEST_PATH, isSourceName, SOURCE_DESCRIPTORS, SOURCE_ROUTES, sourceOptionsOf } from '../../lambdas/core/normalize/registry';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { AlarmIngest } from '../constructs/alarm-ingest';
import { EscalationStateMachine } from '../constructs/escalation-state-machine';
import { AlarmTopic } from '../constructs/alarm-topic';
import { AlertQueue } from '../constructs/alert-queue';
import { iam5ResourceFinding } from '../constructs/nag-finding';
import { FUNCTION_DEFAULTS, PROCESSOR_DEFAULTS } from '../constructs/defaults';
import { PipelineFunction } from '../constructs/pipeline-function';
import { Operations } from '../constructs/operations';
import { StatusSite } from '../constructs/status-site';
import { StageNames } from '../config/stage';
import { customDomainUrl, mapApiToDomain } from '../constructs/api-domain';
import { readValue, secretArnPattern, SHARED_SECRETS, SHARED_VALUES } from '../constructs/shared-value';
import { ConsoleSite, type ConsoleSiteProps } from '../constructs/console-site';
import { InsightsHistory } from '../constructs/insights-history';
import { HISTORY_PREFIX } from '../../lambdas/core/insights/config';
import { allowSecretsManagerRotation, liveIntegrationSecretNames, ROTATION_ACTIONS } from '../constructs/integration-tokens';
import { integrationEndpoints, ownTokenIntegrations } from '../../lambdas/core/integrations/config';
import { WebhookApi } from '../constructs/webhook-api';
import { grantAlarmRead } from '../constructs/cloudwatch-alarm-access';
import { Identity } from '../constructs/identity';

export interface AlertPipelineStackProps extends StackProps {
  /** The validated pipeline config (it is also inlined into every function bundle). */
  readonly pipelineConfig: PipelineConfig;
  /** The console's login (OIDC issuer and client from the identity construct) and, in tests, prebuilt files. */
  readonly console?: Omit<ConsoleSiteProps, 'api'>;
}

/** Prefix of the raw archive the ingest functions and the processor may write to. */
export const ARCHIVE_RAW_PREFIX = 'raw/';
/** Prefix of the archive bucket where published postmortems (Markdown and HTML) are kept. */
export const ARCHIVE_POSTMORTEMS_PREFIX = 'postmortems/';

/** Placeholder for the token in output URL templates: outputs never carry a secret. */
export const INGEST_TOKEN_PLACEHOLDER = '<INGEST_TOKEN>';

/**
 * The DynamoDB calls the functions granted `table:read-write` make (test/lib/least-privilege.test.ts derives them from
 * the code): no Scan, ConditionCheckItem, DescribeTable or stream reads.
 */
export const TABLE_DATA_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem',
] as const;

/** Placeholder for an integration's token in its output URLs. */
export const INTEGRATION_TOKEN_PLACEHOLDER = '<TOKEN>';

/** The one function with a trigger of a kind (the stack wires exactly one of each). */
function only(names: FunctionName[], what: string): FunctionName {
  if (names.length !== 1) {
    throw new InvariantError(`the function table needs exactly one function as ${what}, found ${names.length} (${names.join(', ')})`);
  }
  return names[0]!;
}

/** Allows exactly these actions on exactly these resources (no CDK grant*: they add actions the code never calls). */
function allow(f: PipelineFunction, actions: string[], resources: string[]): void {
  f.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/** A function's timeout from the table (the house default otherwise). */
function timeoutOf(name: FunctionName): Duration {
  const seconds = functionSpec(name).timeoutSeconds;
  return seconds === undefined ? FUNCTION_DEFAULTS.timeout : Duration.seconds(seconds);
}

export class AlertPipelineStack extends Stack {
  public readonly alarmTopic: AlarmTopic;
  public readonly alertQueue: AlertQueue;
  /** Names of the data stack's secrets (the functions get these names; IAM names `<name>-??????`). */
  public readonly secretNames: Readonly<Record<keyof typeof SHARED_SECRETS, string>>;
  /** The functions of the table (lambdas/handlers/functions.ts); undefined when the config does not deploy one. */
  public readonly functions: Readonly<Record<FunctionName, PipelineFunction | undefined>>;
  public readonly webhookApi: WebhookApi;
  public readonly alarmIngest: AlarmIngest;
  public readonly escalation: EscalationStateMachine;
  /** SNS topics of people's email contacts, by person. */
  public readonly emailTopics: Readonly<Record<string, sns.Topic>>;
  /** The key of the email topics (null when nobody has an email contact). */
  public readonly emailTopicKey: kms.Key | null;
  /** The status page's bucket and distribution (null without a `statusPage` config section). */
  public readonly statusSite: StatusSite | null;
  /** The web console: S3 + CloudFront, /api/* to the HTTP API on the same origin (docs/console.md). */
  public readonly consoleSite: ConsoleSite;
  /** The Glue table and Athena workgroup of the incident history (null unless `insights.history.enabled`). */
  public readonly history: InsightsHistory | null;
  /** Sign-in of people and machine clients, the JWT authorizer (null without an `access` config section). */
  public readonly identity: Identity | null;
  /** The ops topic, the pipeline's own alarms and dashboard. */
  public readonly operations: Operations;

  constructor(scope: Construct, id: string, props: AlertPipelineStackProps) {
    super(scope, id, props);
    const config = props.pipelineConfig;
    const names = StageNames.of(this);
    // The data stack's table and archive, by the names it publishes in SSM (no export: lib/constructs/shared-value.ts).
    const table: ITable = Table.fromTableName(this, 'IncidentTable', readValue(this, SHARED_VALUES.incidentTableName));
    const archiveBucket: IBucket = Bucket.fromBucketName(this, 'RawArchiveBucket', readValue(this, SHARED_VALUES.archiveBucketName));
    this.secretNames = {
      ingestToken: names.secretName(SHARED_SECRETS.ingestToken),
      apiToken: names.secretName(SHARED_SECRETS.apiToken),
      actionLinkKey: names.secretName(SHARED_SECRETS.actionLinkKey),
    };
    // The live integrations' token secrets (the data stack creates them; lib/constructs/integration-tokens.ts).
    const integrationSecrets = liveIntegrationSecretNames(config.integrations, names);

    // A fixed name: alarm actions hold the topic's ARN, which must survive a re-create of this stack.
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { topicName: names.resourceName('alarms') });
    const topic = this.alarmTopic.topic;

    const consumer = only(functionsTriggeredBy('sqs'), 'an SQS consumer');
    this.alertQueue = new AlertQueue(this, 'AlertQueue', {
      maxReceiveCount: config.processing.maxReceiveCount,
      consumerTimeout: timeoutOf(consumer),
      // Its alarms notify the ops topic (Operations, below), never the alarm topic the pipeline ingests.
      oldestMessageAgeThreshold: Duration.seconds(config.operations.thresholds.queueAgeSeconds),
      deadLetterThreshold: config.operations.thresholds.deadLetterMessages,
    });
    const { queue, deadLetterQueue } = this.alertQueue;

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
    this.emailTopics = this.createEmailTopics(config, this.emailTopicKey);

    // The EventBridge rules the config asks for, one per source (sources.<source>.eventBridgeRule).
    const eventBridgeRules = SOURCE_DESCRIPTORS.flatMap((d) => {
      const rule = d.eventBridgeRule;
      if (!rule?.enabled(sourceOptionsOf(d, config.sources))) return [];
      const types = d.eventBridge ?? [];
      const eventPattern = { source: [...new Set(types.map((t) => t.source))], detailType: types.map((t) => t.detailType) };
      return [{ id: rule.id, description: rule.description, eventPattern }];
    });

    // 1. Every function of the table (lambdas/handlers/functions.ts) that this config deploys (an optional one only
    //    with a trigger: the EventBridge ingest function when there is a rule).
    const functions: Partial<Record<FunctionName, PipelineFunction>> = {};
    // A trigger with `when` exists only with that part of the config: 'statusPage' with a status page, 'noAccess'
    // (the Lambda authorizer of the API token) without an access section.
    const hasLiveIntegrations = Object.keys(integrationSecrets).length > 0;
    const when = { statusPage: config.statusPage !== undefined, noAccess: config.access === undefined };
    const triggerEnabled = (trigger: Trigger) =>
      (trigger.kind !== 'eventbridge' || eventBridgeRules.length > 0) && (trigger.kind !== 'secrets-rotation' || hasLiveIntegrations) &&
      (!('when' in trigger) || trigger.when === undefined || when[trigger.when]);
    this.statusSite = config.statusPage ? new StatusSite(this, 'StatusSite') : null;
    this.history = config.insights.history.enabled ? new InsightsHistory(this, 'InsightsHistory', { archiveBucket }) : null;
    for (const name of enabledFunctions(triggerEnabled)) {
      const spec = functionSpec(name);
      functions[name] = new PipelineFunction(this, spec.id, {
        entry: spec.entry,
        pipelineConfig: config,
        description: spec.description,
        memorySize: spec.memorySize,
        timeout: timeoutOf(name),
        deadLetterQueue: spec.asyncDeadLetterQueue ? deadLetterQueue : undefined,
        celOnlyForWebhooks: spec.celOnlyForWebhooks,
        tracing: spec.tracing,
      });
    }
    const fn = (name: FunctionName): PipelineFunction => {
      const f = functions[name];
      if (!f) throw new InvariantError(`function ${name} of the function table is needed but not deployed with this config`);
      return f;
    };
    const optional = (names: FunctionName[]) => names.map((n) => functions[n]).find((f) => f !== undefined);

    // 2. Their triggers.
    const { batchSize, batchWindowSeconds } = config.processing;
    this.alertQueue.addConsumer(fn(consumer), {
      batchSize,
      maxBatchingWindow: batchWindowSeconds > 0 ? Duration.seconds(batchWindowSeconds) : undefined,
      maxConcurrency: PROCESSOR_DEFAULTS.maxConcurrency,
    });
    this.alarmIngest = new AlarmIngest(this, 'AlarmIngest', {
      topic,
      snsFunction: fn(only(functionsTriggeredBy('sns'), 'an alarm topic subscriber')),
      eventBridgeFunction: optional(functionsTriggeredBy('eventbridge')),
      eventBridgeRules,
      deadLetterQueue,
    });
    const pageTask = only(functionsTriggeredBy('state-machine-task'), 'the escalation Page task');
    const escalationStep = fn(pageTask);
    this.escalation = new EscalationStateMachine(this, 'Escalation', { stepFunction: escalationStep.function });
    for (const name of functionsTriggeredBy('schedule')) {
      const trigger = triggerOf(name, 'schedule')!;
      if (!functions[name] || !triggerEnabled(trigger)) continue;
      const every = trigger.everyMinutes;
      new events.Rule(this, `${functionSpec(name).id}Schedule`, {
        description: `Runs the alert pipeline ${name} every ${every === 1 ? 'minute' : `${every} minutes`}`,
        schedule: events.Schedule.rate(Duration.minutes(every)),
        targets: [new eventTargets.LambdaFunction(fn(name).function, { retryAttempts: 2 })],
      });
    }
    const httpFunctions = Object.fromEntries(functionsTriggeredBy('http').map((name) => [name, fn(name)])) as Record<HttpFunctionName, PipelineFunction>;
    // People sign in (Cognito or an external OIDC issuer) when the config has an `access` section: a JWT authorizer.
    this.identity = config.access ? new Identity(this, 'Identity', { access: config.access }) : null;
    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      routes: HTTP_ROUTES,
      handlers: httpFunctions,
      bearerAuthorizer: this.identity?.authorizer,
      authorizerFunction: optional(functionsTriggeredBy('http-authorizer')),
    });
    const domain = config.deployment.domain;
    if (domain) mapApiToDomain(this, this.webhookApi.api, this.webhookApi.stage, domain);
    const apiBaseUrl = domain ? `${customDomainUrl(domain)}/` : this.webhookApi.url;
    // The console signs in with the identity's OIDC client (Cognito or the external issuer) and is its callback URL.
    this.consoleSite = new ConsoleSite(this, 'ConsoleSite', {
      api: this.webhookApi.api,
      ...(this.identity ? { oidc: { ...this.identity.console } } : {}),
      ...(props.console ?? {}),
    });
    this.identity?.addCallbackUrl(`${this.consoleSite.url}/`);

    // 3. Their environment and grants, now that every resource they name exists.
    const stateMachine = this.escalation.stateMachine;
    const environment: Record<EnvKey, () => string> = {
      tableName: () => table.tableName,
      queueUrl: () => queue.queueUrl,
      deadLetterQueueUrl: () => deadLetterQueue.queueUrl,
      archiveBucket: () => archiveBucket.bucketName,
      ingestTokenSecretId: () => this.secretNames.ingestToken,
      integrationTokenSecrets: () => JSON.stringify(integrationSecrets),
      apiTokenSecretId: () => this.secretNames.apiToken,
      snsAllowedTopicArns: () => [...config.sources.cloudwatch.allowedTopicArns, topic.topicArn].join(','),
      stateMachineArn: () => stateMachine.stateMachineArn,
      escalationFunctionName: () => escalationStep.function.functionName,
      actionLinkSecretId: () => this.secretNames.actionLinkKey,
      // Links in notifications and calendar feed URLs point at the API (its custom domain when there is one).
      publicBaseUrl: () => apiBaseUrl.replace(/\/$/, ''),
      emailTopicArns: () => Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.emailTopics).map(([k, t]) => [k, t.topicArn]))),
      channelSecretPrefix: () => names.channelSecretPrefix,
      statusSiteBucket: () => this.requireStatusSite().bucket.bucketName,
      statusPageUrl: () => this.requireStatusSite().url,
      statusRenderFunctionName: () => optional(functionsTriggeredBy('status-change'))?.function.functionName ?? '',
    };
    const hasSms = config.people.some((p) => p.contacts.some((c) => c.type === 'sms'));
    const grants: Record<Grant, (f: PipelineFunction) => void> = {
      'table:read-write': (f) => this.grantTableReadWrite(f, table),
      'table:read-write-no-delete': (f) => this.grantTableReadWrite(f, table, ['dynamodb:DeleteItem']),
      'alert-queue:send': (f) => allow(f, ['sqs:SendMessage'], [queue.queueArn]),
      'dead-letter-queue:send': (f) => allow(f, ['sqs:SendMessage'], [deadLetterQueue.queueArn]),
      'archive:put-raw': (f) => this.grantArchiveRaw(f, archiveBucket),
      'archive:get-raw': (f) => this.grantArchiveGetRaw(f, archiveBucket),
      'archive:postmortems': (f) => this.grantArchivePostmortems(f, archiveBucket),
      'archive:history': (f) => this.history && this.grantArchiveHistory(f, archiveBucket),
      'ingest-token:read': (f) => allow(f, ['secretsmanager:GetSecretValue'], [secretArnPattern(this, this.secretNames.ingestToken)]),
      'api-token:read': (f) => allow(f, ['secretsmanager:GetSecretValue'], [secretArnPattern(this, this.secretNames.apiToken)]),
      'action-link-key:read': (f) => allow(f, ['secretsmanager:GetSecretValue'], [secretArnPattern(this, this.secretNames.actionLinkKey)]),
      'integration-tokens:read': (f) => allow(f, ['secretsmanager:GetSecretValue'], Object.values(integrationSecrets).map((n) => secretArnPattern(this, n))),
      'integration-tokens:rotate': (f) => {
        allow(f, ROTATION_ACTIONS, Object.values(integrationSecrets).map((n) => secretArnPattern(this, n)));
        allowSecretsManagerRotation(f.function);
      },
      'channel-secrets:read': (f) => this.grantChannelSecrets(f, config),
      'email-topics:publish': (f) => this.grantEmailTopics(f),
      'sms:publish': (f) => hasSms && this.grantSms(f),
      'escalation:start-stop': (f) => this.grantEscalate(f, stateMachine, escalationStep),
      'status-site:put': (f) => this.grantStatusSite(f),
      'cloudwatch-alarms:tags-and-describe': (f) => grantAlarmRead(f, 'tags-and-describe'),
      'cloudwatch-alarms:describe': (f) => grantAlarmRead(f, 'describe'),
      // The notifier invokes the unqualified function by name: its ARN, no versions or aliases.
      'status-render:invoke': (f) => {
        const renderer = optional(functionsTriggeredBy('status-change'));
        if (renderer) allow(f, ['lambda:InvokeFunction'], [renderer.function.functionArn]);
      },
    };
    for (const [name, f] of Object.entries(functions) as Array<[FunctionName, PipelineFunction]>) {
      const spec = functionSpec(name);
      for (const key of spec.environment) f.addEnvironment(ENV[key], environment[key]());
      for (const grant of spec.grants) grants[grant](f);
    }

    this.functions = Object.fromEntries(FUNCTION_NAMES.map((name) => [name, functions[name]])) as Record<FunctionName, PipelineFunction | undefined>;
    // 4. The pipeline watching itself: ops topic, alarms, inline-page failure destination, dashboard.
    this.operations = new Operations(this, 'Operations', {
      config: config.operations,
      functions: functions as Record<string, PipelineFunction>,
      inlinePageFunction: fn(only(functionsTriggeredBy('async-invoke'), 'the inline page')),
      stateMachine,
      httpApi: this.webhookApi.api,
      tables: [{ table, indexes: INCIDENT_TABLE.indexes.map((ix) => ix.indexName) }],
      alarms: [this.alertQueue.deadLetterAlarm, this.alertQueue.oldestMessageAlarm],
    });
    this.addOutputs(apiBaseUrl);
    this.addIntegrationOutputs(config, integrationSecrets, apiBaseUrl);
  }

  /**
   * One output per endpoint of every live integration: the URL with a placeholder for its token (never the token),
   * and where to read the token.
   */
  private addIntegrationOutputs(config: PipelineConfig, live: Readonly<Record<string, string>>, base: string): void {
    const rotation = this.functions[only(functionsTriggeredBy('secrets-rotation'), 'the integration token rotation function')];
    if (rotation) {
      new CfnOutput(this, 'IntegrationTokenRotationFunctionArn', {
        value: rotation.function.functionArn,
        description: 'Rotates an integration token: aws secretsmanager rotate-secret --secret-id <secret> --rotation-lambda-arn <this ARN>',
      });
    }
    for (const integration of ownTokenIntegrations(config.integrations)) {
      const secretName = live[integration.name];
      if (secretName === undefined || integration.source === undefined || !isSourceName(integration.source)) continue;
      const id = `Integration${integration.name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
      const read = `aws secretsmanager get-secret-value --secret-id ${secretName} --query SecretString --output text | jq -r .current`;
      integrationEndpoints(integration.source).forEach((e, n) => {
        const url = `${base}${e.path.replace(/^\//, '').replace('{token}', INTEGRATION_TOKEN_PLACEHOLDER)}`;
        const how = e.token === 'path' ? `replace ${INTEGRATION_TOKEN_PLACEHOLDER} with` : `send as routing_key`;
        new CfnOutput(this, `${id}Url${n === 0 ? '' : n + 1}`, {
          value: url,
          description: `Integration "${integration.name}" (${integration.source}): ${how} its token (${read})`,
        });
      });
    }
  }

  /** One SNS topic per person with an email contact (email subscriptions need a topic). */
  private createEmailTopics(config: PipelineConfig, key: kms.Key | null): Record<string, sns.Topic> {
    const emailTopics: Record<string, sns.Topic> = {};
    for (const person of config.people) {
      const emails = person.contacts.filter((c) => c.type === 'email');
      if (emails.length === 0 || !key) continue;
      const topic = new sns.Topic(this, `EmailTopic-${person.name}`, {
        displayName: `Alert pipeline pages for ${person.displayName ?? person.name}`,
        masterKey: key,
        enforceSSL: true,
      });
      for (const c of emails) topic.addSubscription(new subscriptions.EmailSubscription(c.address));
      emailTopics[person.name] = topic;
    }
    return emailTopics;
  }

  /**
   * Publishing to the encrypted email topics: sns:Publish on these topics and, on their one key, the two KMS calls
   * SNS makes with the publisher's credentials. Written out rather than grantPublish, which adds kms:GenerateDataKey*.
   */
  private grantEmailTopics(f: PipelineFunction): void {
    if (!this.emailTopicKey) return;
    f.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'], resources: Object.values(this.emailTopics).map((t) => t.topicArn),
    }));
    f.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.emailTopicKey.keyArn],
    }));
  }

  /**
   * Read access to exactly the secrets of the configured channels whose type needs one (the channel registry says
   * which): `<prefix><secret>-??????` matches the six characters Secrets Manager appends to a secret's ARN.
   */
  private grantChannelSecrets(f: PipelineFunction, config: PipelineConfig): void {
    const channelSecretNames = [...new Set(config.channels.map(channelSecret).filter((s): s is string => s !== null))];
    if (channelSecretNames.length === 0) return;
    f.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: channelSecretNames.map((name) => secretArnPattern(this, `${StageNames.of(this).channelSecretPrefix}${name}`)),
    }));
  }

  /**
   * SMS pages: SNS Publish to phone numbers, which have no ARN. `NotResource: arn:<partition>:sns:*:*:*` allows
   * publishing to anything that is not an SNS ARN (a topic or an endpoint), i.e. only to phone numbers: this
   * statement cannot reach a topic (the email topics are granted by ARN in their own statement).
   */
  private grantSms(f: PipelineFunction): void {
    f.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'], notResources: [`arn:${Stack.of(this).partition}:sns:*:*:*`],
    }));
  }

  /** Start and stop escalation executions, and invoke the escalation step for the inline page. */
  private grantEscalate(f: PipelineFunction, stateMachine: EscalationStateMachine['stateMachine'], escalationStep: PipelineFunction): void {
    stateMachine.grantStartExecution(f);
    f.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['states:StopExecution'],
      resources: [`arn:${Stack.of(this).partition}:states:${Stack.of(this).region}:${Stack.of(this).account}:execution:${stateMachine.stateMachineName}:*`],
    }));
    // The inline page invokes the unqualified function by name: its ARN, no versions or aliases.
    allow(f, ['lambda:InvokeFunction'], [escalationStep.function.functionArn]);
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(stateMachine.node.defaultChild as never)}.Name>:*]`,
      reason: 'Executions are named per incident at run time (<incident id>-r<run>): stopping one needs the execution ARN prefix of this one state machine.',
    });
  }

  private requireStatusSite(): StatusSite {
    if (!this.statusSite) throw new InvariantError('the status-site bucket is needed but the config has no statusPage section');
    return this.statusSite;
  }

  /** The status-render function: put the rendered files into the status-site bucket. Nothing else of it. */
  private grantStatusSite(fn: PipelineFunction): void {
    const site = this.requireStatusSite();
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [site.bucket.arnForObjects('*')] }));
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, site.bucket, site.bucket.bucketArn, '/*'),
      reason: 'The renderer writes the status files (status/index.html, status.json, status/feed.atom) into the dedicated status-site bucket, which holds nothing else; the action is s3:PutObject only.',
    });
  }

  /** Ingest functions and the processor: write raw payloads under `raw/` of the archive. Nothing else of the bucket. */
  private grantArchiveRaw(fn: PipelineFunction, archiveBucket: IBucket): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [archiveBucket.arnForObjects(`${ARCHIVE_RAW_PREFIX}*`)] }),
    );
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, archiveBucket, archiveBucket.bucketArn, `/${ARCHIVE_RAW_PREFIX}*`),
      reason:
        'Raw bodies are archived as new objects (one per processor batch under raw/batch/<yyyy>/<mm>/<dd>/<hh>/, one per large delivery under ' +
        'raw/<source>/<yyyy>/<mm>/<dd>/<hh>/), so the object ARN must be a prefix ' +
        'wildcard; the action is s3:PutObject only and the prefix is raw/, not the whole bucket.',
    });
  }

  /**
   * The API: read raw payloads under `raw/` of the archive (an alert's raw payload in the console). Read only, nothing
   * else of the bucket. The bucket is encrypted with S3-managed keys, so no KMS grant is needed.
   */
  private grantArchiveGetRaw(fn: PipelineFunction, archiveBucket: IBucket): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [archiveBucket.arnForObjects(`${ARCHIVE_RAW_PREFIX}*`)] }),
    );
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, archiveBucket, archiveBucket.bucketArn, `/${ARCHIVE_RAW_PREFIX}*`),
      reason:
        'The API reads the archived delivery of an alert the caller may see (its key comes from the incident\'s alert log) under ' +
        'raw/<source>/<yyyy>/<mm>/<dd>/<hh>/, so the object ARN must be a prefix wildcard; the action is s3:GetObject only and the prefix is raw/.',
    });
  }

  /** The API: write and read published postmortems under `postmortems/` of the archive. Nothing else of the bucket. */
  private grantArchivePostmortems(fn: PipelineFunction, archiveBucket: IBucket): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [archiveBucket.arnForObjects(`${ARCHIVE_POSTMORTEMS_PREFIX}*`)] }),
    );
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, archiveBucket, archiveBucket.bucketArn, `/${ARCHIVE_POSTMORTEMS_PREFIX}*`),
      reason:
        'Each publication of a postmortem is a new pair of objects under postmortems/<incident id>/v<version>.(md|html), so the object ARN ' +
        'must be a prefix wildcard; the actions are s3:PutObject and s3:GetObject only and the prefix is postmortems/, not the whole bucket.',
    });
  }

  /** The functions that resolve incidents: write history snapshots under `history/` (only with the history on). */
  private grantArchiveHistory(fn: PipelineFunction, archiveBucket: IBucket): void {
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [archiveBucket.arnForObjects(`${HISTORY_PREFIX}*`)] }));
    Validations.of(fn.role).acknowledge({
      id: iam5ResourceFinding(fn, archiveBucket, archiveBucket.bucketArn, `/${HISTORY_PREFIX}*`),
      reason:
        'Each resolved incident is one new object under history/dt=<day>/<incident id>.json, so the object ARN must be a prefix wildcard; ' +
        'the action is s3:PutObject only and the prefix is history/, not the whole bucket.',
    });
  }

  /** The item calls of the code on the table, and Query on each of its indexes by name (no `index/*`). */
  private grantTableReadWrite(fn: PipelineFunction, table: ITable, except: readonly string[] = []): void {
    allow(fn, TABLE_DATA_ACTIONS.filter((a) => !except.includes(a)), [table.tableArn]);
    allow(fn, ['dynamodb:Query'], INCIDENT_TABLE.indexes.map((ix) => `${table.tableArn}/index/${ix.indexName}`));
  }

  private addOutputs(base: string): void {
    const template = (path: string) => `${base}${path.replace(/^\//, '').replace('{token}', INGEST_TOKEN_PLACEHOLDER)}`;
    // Output descriptions must be literal strings in CloudFormation, so the hint names the output, not the ARN.
    const secretHint = (name: string) =>
      `read the token with: aws secretsmanager get-secret-value --secret-id ${name} --query SecretString --output text | jq -r .token`;
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });

    out('ApiUrl', base, 'Base URL of the pipeline API (its custom domain when deployment.domain is set, else the HTTP API\'s $default stage)');
    if (base !== this.webhookApi.url) out('ApiExecuteUrl', this.webhookApi.url, 'The HTTP API\'s own execute-api URL (changes when the pipeline stack is re-created; senders use ApiUrl)');
    out('ConsoleUrl', `${this.consoleSite.url}/`, 'Web console (CloudFront; /api/* goes to the API on the same origin)');
    // One output per source route that declares one (the source registry).
    for (const { route } of SOURCE_ROUTES) if (route.output) out(route.output.id, template(route.path), route.output.description);
    out('EventBridgeIngestUrl', template(EVENTBRIDGE_INGEST_PATH), `EventBridge API destination endpoint (events forwarded from other accounts): replace ${INGEST_TOKEN_PLACEHOLDER} with the ingest token`);
    out('AlarmTopicArn', this.alarmTopic.topic.topicArn, 'SNS topic for CloudWatch alarm actions in this account and Region');
    out('IngestTokenSecretName', this.secretNames.ingestToken, `Ingest token secret (data stack, retained); ${secretHint(this.secretNames.ingestToken)}`);
    out('ApiTokenSecretName', this.secretNames.apiToken, `API bearer token secret (data stack, retained); ${secretHint(this.secretNames.apiToken)}`);
    out('AlertQueueUrl', this.alertQueue.queue.queueUrl, 'Alert queue (SQS)');
    out('AlertQueueArn', this.alertQueue.queue.queueArn, 'Alert queue ARN (destination of a DLQ redrive)');
    out('DeadLetterQueueUrl', this.alertQueue.deadLetterQueue.queueUrl, 'Dead-letter queue: alerts that could not be processed');
    out('DeadLetterQueueArn', this.alertQueue.deadLetterQueue.queueArn, 'Dead-letter queue ARN (source of a DLQ redrive)');
    if (this.statusSite) {
      out('StatusPageUrl', `${this.statusSite.url}/`, 'Public status page (CloudFront; also /status.json and /status/feed.atom), served apart from the API');
      out('StatusSiteBucketName', this.statusSite.bucket.bucketName, 'S3 bucket the status-render function writes the status page to');
    }
  }
}
