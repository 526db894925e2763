import { POWERTOOLS_ENV } from '../../lib/constructs/operations';
import { Match } from 'aws-cdk-lib/assertions';
import { HTTP_ROUTES, routeKeyOf } from '../../lambdas/handlers/routes';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../lib/constructs/defaults';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';
import { actionsOfRole, buildApp, cleanUpOutdirs, configWith, logicalIdOf, pipelineFunctions, statementsOfRole, withoutAccess, type BuiltApp } from './helpers';

describe('AlertPipelineStack', () => {
  let built: BuiltApp;
  beforeAll(() => {
    // The Lambda authorizer over the API token (no access section); the JWT authorizer of the sample config's Cognito
    // pool and of an external issuer: test/lib/identity.test.ts.
    built = buildApp(withoutAccess());
  });
  afterAll(cleanUpOutdirs);

  const stack = () => built.pipelineStack;
  const template = () => built.pipelineTemplate;
  const fnId = (name: keyof BuiltApp['pipelineStack']['functions']) => logicalIdOf(stack().functions[name]!.function.node.defaultChild);
  const roleId = (name: keyof BuiltApp['pipelineStack']['functions']) => logicalIdOf(stack().functions[name]!.role.node.defaultChild);
  const queueId = () => logicalIdOf(stack().alertQueue.queue.node.defaultChild);
  const dlqId = () => logicalIdOf(stack().alertQueue.deadLetterQueue.node.defaultChild);
  const topicId = () => logicalIdOf(stack().alarmTopic.topic.node.defaultChild);
  /** A function's environment variable names, without the Powertools settings every function gets (Operations). */
  const ownEnv = (vars: Record<string, unknown>) => Object.keys(vars).filter((k) => !(Object.values(POWERTOOLS_ENV) as string[]).includes(k)).sort();
  const opsTopicId = () => logicalIdOf(stack().operations.topic.topic.node.defaultChild);

  describe('alert queue', () => {
    it('redrives to the dead-letter queue after config.processing.maxReceiveCount receives', () => {
      template().hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] }, maxReceiveCount: 5 },
        SqsManagedSseEnabled: true,
      });
    });

    it('follows a different maxReceiveCount from the config', () => {
      const other = buildApp(configWith((c) => ({ ...c, processing: { ...c.processing, maxReceiveCount: 3 } })));
      other.pipelineTemplate.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    });

    it('keeps dead letters 14 days, encrypted', () => {
      const queues = template().findResources('AWS::SQS::Queue');
      expect(queues[dlqId()]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    });

    it('denies non-TLS access to both queues', () => {
      for (const id of [queueId(), dlqId()]) {
        template().hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: Match.arrayWith([{ Ref: id }]),
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
          },
        });
      }
    });

    it(`has a visibility timeout of at least ${VISIBILITY_TIMEOUT_FACTOR} x the processor timeout`, () => {
      const processor = template().findResources('AWS::Lambda::Function')[fnId('processAlerts')];
      const queue = template().findResources('AWS::SQS::Queue')[queueId()];
      expect(processor?.Properties.Timeout).toBe(60);
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * processor?.Properties.Timeout);
    });

    it('notifies the ops topic (alarm and OK), never the alarm topic it ingests, when the dead-letter queue holds a message', () => {
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: opsTopicId() }],
        OKActions: [{ Ref: opsTopicId() }],
      });
    });

    it('notifies the ops topic when the oldest queued alert is older than 300 s', () => {
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(), 'QueueName'] } }],
        Threshold: 300,
        AlarmActions: [{ Ref: opsTopicId() }],
      });
    });

    it('feeds the processor with partial batch responses, the configured batch size (10) and no window, at most 10 at a time', () => {
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fnId('processAlerts') },
        EventSourceArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.absent(),
        ScalingConfig: { MaximumConcurrency: 10 },
      });
    });

    it('sets the batching window when the config asks for one (batch size > 10)', () => {
      const other = buildApp(configWith((c) => ({ ...c, processing: { ...c.processing, batchSize: 100, batchWindowSeconds: 1 } })));
      other.pipelineTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
      });
    });
  });

  describe('alarm topic', () => {
    it('is encrypted with a rotated customer-managed key that CloudWatch may use', () => {
      const keyId = logicalIdOf(stack().alarmTopic.key.node.defaultChild);
      template().hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, SignatureVersion: '2' });
      template().hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    it('lets CloudWatch alarms of this account publish, over TLS only', () => {
      template().hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId() }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
            }),
          ]),
        },
      });
    });

    it('delivers to the SNS ingest function, dead-lettering failed deliveries', () => {
      template().hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: { Ref: topicId() },
        Endpoint: { 'Fn::GetAtt': [fnId('ingestSns'), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } },
      });
      const fn = template().findResources('AWS::Lambda::Function')[fnId('ingestSns')];
      expect(fn?.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } });
    });
  });

  describe('EventBridge option', () => {
    it('creates no rule and no EventBridge function when config.sources.cloudwatch.eventBridgeRule is false', () => {
      // The only rules are the schedules: the sweeper's and the status page renderer's (config/pipeline.yaml has a statusPage).
      template().resourceCountIs('AWS::Events::Rule', 2);
      template().hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
      expect(stack().functions.ingestEventBridge).toBeUndefined();
    });

    it('routes CloudWatch alarm state changes to the EventBridge ingest function when enabled, with retries and a DLQ', () => {
      const other = buildApp(
        configWith((c) => ({ ...c, sources: { ...c.sources, cloudwatch: { ...c.sources?.cloudwatch, eventBridgeRule: true } } })),
      );
      const fn = other.pipelineStack.functions.ingestEventBridge!;
      const dlq = logicalIdOf(other.pipelineStack.alertQueue.deadLetterQueue.node.defaultChild);
      other.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [logicalIdOf(fn.function.node.defaultChild), 'Arn'] },
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          }),
        ],
      });
    });
  });

  describe('EventBridge rules of the security sources', () => {
    it('adds one rule per enabled source (GuardDuty, Security Hub) to the one EventBridge ingest function', () => {
      const other = buildApp(
        configWith((c) => ({ ...c, sources: { ...c.sources, guardduty: { eventBridgeRule: true }, securityhub: { eventBridgeRule: true } } })),
      );
      const fn = other.pipelineStack.functions.ingestEventBridge!;
      for (const [source, detailType] of [['aws.guardduty', 'GuardDuty Finding'], ['aws.securityhub', 'Security Hub Findings - Imported']]) {
        other.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: { source: [source], 'detail-type': [detailType] },
          Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(fn.function.node.defaultChild), 'Arn'] } })],
        });
      }
      // The sweeper's and the status renderer's schedules and the two finding rules; no CloudWatch rule.
      other.pipelineTemplate.resourceCountIs('AWS::Events::Rule', 4);
    });
  });

  describe('functions', () => {
    it('run on the newest Node.js runtime, arm64, with X-Ray tracing (pass-through for ingest) and their own log group', () => {
      const functions = pipelineFunctions(template());
      expect(Object.keys(functions)).toHaveLength(12); // the API as three functions (one per route group), with statusRender (config/pipeline.yaml has a statusPage) and the token rotation (integrations)
      const passThrough: string[] = [];
      for (const [id, fn] of Object.entries(functions)) {
        // One invocation per delivery on the ingest functions: sampled there only when the caller's trace is.
        if (fn.Properties.TracingConfig?.Mode === 'PassThrough') passThrough.push(id.replace(/[A-F0-9]{8}$/, ''));
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: expect.stringMatching(/^(Active|PassThrough)$/) },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        });
      }
      expect(passThrough.sort()).toEqual(['IngestHttpFunction', 'IngestSnsFunction']); // no EventBridge rule in this config
      // One per function, plus the escalation state machine's execution log.
      template().resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 13);
    });

    it('log JSON at application level INFO and system level WARN: no START/END/REPORT lines per invocation', () => {
      const functions = pipelineFunctions(template());
      for (const fn of Object.values(functions)) {
        expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) }, LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' });
      }
    });

    it('do not use the AWSLambdaBasicExecutionRole managed policy', () => {
      for (const role of Object.values(template().findResources('AWS::IAM::Role'))) {
        expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasicExecutionRole');
      }
    });

    it('give the HTTP ingest function the queue, archive, token secret and allowed topics (plus the own alarm topic)', () => {
      const fn = template().findResources('AWS::Lambda::Function')[fnId('ingestHttp')];
      const env = fn?.Properties.Environment.Variables;
      expect(ownEnv(env)).toEqual(
        [ENV.queueUrl, ENV.archiveBucket, ENV.ingestTokenSecretId, ENV.integrationTokenSecrets, ENV.snsAllowedTopicArns].sort(),
      );
      expect(env[ENV.queueUrl]).toEqual({ Ref: queueId() });
      expect(env[ENV.snsAllowedTopicArns]).toEqual({ Ref: topicId() });
    });

    it('put config.sources.cloudwatch.allowedTopicArns before the own topic in SNS_ALLOWED_TOPIC_ARNS', () => {
      const other = buildApp(
        configWith((c) => ({
          ...c,
          sources: {
            ...c.sources,
            cloudwatch: { ...c.sources?.cloudwatch, allowedTopicArns: ['arn:aws:sns:eu-west-1:111122223333:alarms', 'arn:aws:sns:eu-west-1:111122223333:more'] },
          },
        })),
      );
      const id = logicalIdOf(other.pipelineStack.functions.ingestHttp!.function.node.defaultChild);
      const env = other.pipelineTemplate.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables;
      const topic = logicalIdOf(other.pipelineStack.alarmTopic.topic.node.defaultChild);
      expect(env[ENV.snsAllowedTopicArns]).toEqual({
        'Fn::Join': ['', ['arn:aws:sns:eu-west-1:111122223333:alarms,arn:aws:sns:eu-west-1:111122223333:more,', { Ref: topic }]],
      });
    });

    it('give the processor the table and the dead-letter queue URL, with 512 MB', () => {
      const fn = template().findResources('AWS::Lambda::Function')[fnId('processAlerts')];
      expect(fn?.Properties.MemorySize).toBe(512);
      expect(ownEnv(fn?.Properties.Environment.Variables)).toEqual(
        // ARCHIVE_BUCKET and PUBLIC_BASE_URL: the history snapshot of an incident it resolves (docs/insights.md §History).
        [ENV.deadLetterQueueUrl, ENV.tableName, ENV.stateMachineArn, ENV.escalationFunctionName, ENV.statusRenderFunctionName, ENV.archiveBucket, ENV.publicBaseUrl].sort(),
      );
      expect(fn?.Properties.Environment.Variables[ENV.deadLetterQueueUrl]).toEqual({ Ref: dlqId() });
    });

    it('give the authorizer only the API token secret id', () => {
      const fn = template().findResources('AWS::Lambda::Function')[fnId('authorizer')];
      expect(ownEnv(fn?.Properties.Environment.Variables)).toEqual([ENV.apiTokenSecretId]);
    });
  });

  describe('IAM', () => {
    it('lets the HTTP ingest function send to the queue and put raw/* objects, but not touch DynamoDB', () => {
      const statements = statementsOfRole(template(), roleId('ingestHttp'));
      const actions = statements.flatMap((s) => s.actions);
      expect(statements).toContainEqual({ actions: expect.arrayContaining(['sqs:SendMessage']), resources: [{ 'Fn::GetAtt': [queueId(), 'Arn'] }] });
      const put = statements.find((s) => s.actions.includes('s3:PutObject'));
      expect(put?.actions).toEqual(['s3:PutObject']);
      expect(JSON.stringify(put?.resources)).toContain('/raw/*');
      expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
      expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    });

    it('gives the SNS ingest function the same queue and archive rights and nothing on DynamoDB or secrets', () => {
      const actions = actionsOfRole(template(), roleId('ingestSns'));
      expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 's3:PutObject']));
      expect(actions.filter((a) => a.startsWith('dynamodb:') || a.startsWith('secretsmanager:'))).toEqual([]);
    });

    it('does not let the API functions send messages to any queue', () => {
      for (const name of ['api', 'apiReports', 'apiAdmin'] as const) {
        const actions = actionsOfRole(template(), roleId(name));
        expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']));
        expect(actions).not.toContain('sqs:SendMessage');
      }
    });

    it('lets the reports function put and get published postmortems under postmortems/* and only get raw/* objects, nothing else of the bucket', () => {
      const s3 = statementsOfRole(template(), roleId('apiReports')).filter((s) => s.actions.some((a) => a.startsWith('s3:')));
      const byPrefix = s3.map((s) => [[...s.actions].sort(), JSON.stringify(s.resources).match(/\/(\w+)\/\*"/g)]);
      expect(byPrefix).toEqual([
        [['s3:GetObject', 's3:PutObject'], ['/postmortems/*"']],
        // The console's raw payload of an alert (archive:get-raw): read, never write, and only under raw/.
        [['s3:GetObject'], ['/raw/*"']],
      ]);
    });

    it('split by route group: only the incident function starts escalations, only the reports function reads S3, only the admin function reads the link key', () => {
      const of = (name: 'api' | 'apiReports' | 'apiAdmin') => actionsOfRole(template(), roleId(name));
      expect(of('api')).toEqual(expect.arrayContaining(['states:StartExecution', 'lambda:InvokeFunction']));
      expect(of('api').filter((a) => a.startsWith('s3:') || a.startsWith('secretsmanager:'))).toEqual([]);
      expect(of('apiReports').filter((a) => a.startsWith('states:') || a.startsWith('lambda:') || a.startsWith('secretsmanager:'))).toEqual([]);
      expect(of('apiAdmin')).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'lambda:InvokeFunction']));
      expect(of('apiAdmin').filter((a) => a.startsWith('s3:') || a.startsWith('states:'))).toEqual([]);
    });

    it('lets the processor put raw/* objects (the batch objects of the raw bodies its messages carry), only put, only under raw/', () => {
      const s3 = statementsOfRole(template(), roleId('processAlerts')).filter((s) => s.actions.some((a) => a.startsWith('s3:')));
      const raw = s3.filter((s) => JSON.stringify(s.resources).includes('/raw/*'));
      expect(raw.map((s) => s.actions)).toEqual([['s3:PutObject']]);
      expect(s3.flatMap((s) => s.actions)).not.toContain('s3:GetObject');
    });

    it('lets the processor write to the table, query its indexes by name and send to the dead-letter queue only', () => {
      const statements = statementsOfRole(template(), roleId('processAlerts'));
      const send = statements.filter((s) => s.actions.includes('sqs:SendMessage'));
      expect(send.flatMap((s) => s.resources)).toEqual([{ 'Fn::GetAtt': [dlqId(), 'Arn'] }]);
      const query = statements.filter((s) => s.actions.includes('dynamodb:Query'));
      const indexes = JSON.stringify(query.map((s) => s.resources));
      for (const ix of INCIDENT_TABLE.indexes) expect(indexes).toContain(`/index/${ix.indexName}`);
      expect(indexes).not.toContain('/index/*');
    });

    it('lets only the authorizer read the API token', () => {
      const apiSecret = `${stack().secretNames.apiToken}-??????`;
      for (const name of ['ingestHttp', 'ingestSns', 'processAlerts', 'api', 'authorizer'] as const) {
        const reads = statementsOfRole(template(), roleId(name)).filter((s) => JSON.stringify(s.resources).includes(apiSecret));
        expect([name, reads.length > 0]).toEqual([name, name === 'authorizer']);
      }
    });
  });

  describe('HTTP API', () => {
    const authorizerId = () => Object.keys(template().findResources('AWS::ApiGatewayV2::Authorizer'))[0];

    it('has one route per HTTP_ROUTES entry and no other', () => {
      template().resourceCountIs('AWS::ApiGatewayV2::Route', HTTP_ROUTES.length);
      for (const route of HTTP_ROUTES) {
        template().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKeyOf(route) });
      }
    });

    it.each(HTTP_ROUTES.map((r) => [routeKeyOf(r), r.auth] as const))('%s (%s) has the authorizer only if it is a bearer route', (routeKey, auth) => {
      if (auth === 'bearer') {
        template().hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          AuthorizationType: 'CUSTOM',
          AuthorizerId: { Ref: authorizerId() },
        });
      } else {
        template().hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          AuthorizationType: 'NONE',
          AuthorizerId: Match.absent(),
        });
      }
    });

    it('authorizes bearer routes with a cached simple-response Lambda authorizer on the Authorization header', () => {
      template().hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: 300,
      });
    });

    it('deploys one throttled, auto-deployed $default stage with JSON access logs', () => {
      template().resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"route":"\\$context.routeKey"') },
      });
    });

    it('keeps a compact access log: what traces a request (id, time, route, status, latency, errors, source IP)', () => {
      const stage = Object.values(template().findResources('AWS::ApiGatewayV2::Stage'))[0];
      const format = JSON.parse(stage?.Properties.AccessLogSettings.Format) as Record<string, string>;
      expect(format).toEqual({
        id: '$context.requestId',
        at: '$context.requestTimeEpoch',
        ip: '$context.identity.sourceIp',
        route: '$context.routeKey',
        status: '$context.status',
        ms: '$context.responseLatency',
        err: '$context.integrationErrorMessage',
        authErr: '$context.authorizer.error',
      });
    });

    it('never logs the request path (the ingest token is in it)', () => {
      const stage = Object.values(template().findResources('AWS::ApiGatewayV2::Stage'))[0];
      const format: string = stage?.Properties.AccessLogSettings.Format;
      expect(() => JSON.parse(format)).not.toThrow();
      expect(format).not.toContain('$context.path');
      expect(format).not.toContain('$context.resourcePath');
      expect(format).not.toContain('rawPath');
    });
  });

  describe('secrets and outputs', () => {
    it('generates the ingest, API and action-link tokens in the data stack as 32 letters and digits under the "token" key', () => {
      template().resourceCountIs('AWS::SecretsManager::Secret', 0);
      built.dataTemplate.resourcePropertiesCountIs(
        'AWS::SecretsManager::Secret',
        {
          GenerateSecretString: {
            SecretStringTemplate: '{}',
            GenerateStringKey: 'token',
            PasswordLength: 32,
            ExcludePunctuation: true,
            IncludeSpace: false,
          },
        },
        3,
      );
    });

    it('exposes every documented output', () => {
      const outputs = Object.keys(template().findOutputs('*'));
      expect(outputs).toEqual(
        expect.arrayContaining([
          'ApiUrl',
          'ThreatStackWebhookUrl',
          'CloudWatchHttpsEndpoint',
          'EventsV2Url',
          'AlertmanagerWebhookUrl',
          'AlarmTopicArn',
          'IngestTokenSecretName',
          'ApiTokenSecretName',
          'AlertQueueUrl',
          'DeadLetterQueueUrl',
        ]),
      );
    });

    it('puts only a placeholder for the token in webhook URL outputs', () => {
      template().hasOutput('ThreatStackWebhookUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/ingest/threatstack/<INGEST_TOKEN>$')])] },
      });
      template().hasOutput('AlertmanagerWebhookUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/ingest/alertmanager/<INGEST_TOKEN>$')])] },
      });
    });

    it('never puts a secret value in an output or a function environment', () => {
      const outputs = JSON.stringify(Object.values(template().findOutputs('*')).map((o) => o.Value));
      const functions = JSON.stringify(template().findResources('AWS::Lambda::Function'));
      for (const text of [outputs, functions]) {
        expect(text).not.toMatch(/resolve:secretsmanager/);
        expect(text).not.toContain('SecretString');
      }
      template().hasOutput('IngestTokenSecretName', {
        Value: 'alert-pipeline/dev/ingest-token',
        Description: Match.stringLikeRegexp('aws secretsmanager get-secret-value'),
      });
    });
  });
});
