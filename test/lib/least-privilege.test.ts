/**
 * Least privilege, derived from the code: for every function of the table, the AWS SDK commands its handler can send
 * (every `@aws-sdk/*` `...Command` imported by a file its entry reaches, type-only imports excluded) become the IAM
 * actions it needs; its role may hold exactly those, plus what the Lambda service does with the role for it
 * (logs, X-Ray, the SQS event source, the asynchronous dead-letter queue, KMS for encrypted topics). A grant the code
 * never calls (Scan, DescribeTable, GetRecords, DescribeSecret, GetQueueAttributes ...) fails here.
 */
import { analyze, type SourceFileInfo } from '../architecture/source-graph';
import { FUNCTION_NAMES, functionSpec, triggerOf, type FunctionName } from '../../lambdas/handlers/functions';
import { buildApp, cleanUpOutdirs, configWith, logicalIdOf, statementsOfRole, type BuiltApp } from './helpers';

/** IAM service prefix of each SDK package the functions use (a new client needs its line here). */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
};

/** Commands whose IAM action is not `<service>:<name without Command>`. */
const ACTION_OF_COMMAND: Record<string, string> = {
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** What the Lambda service does with every function's role. */
const ALWAYS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** The SQS event source mapping polls with the consumer's role (the actions of AWSLambdaSQSQueueExecutionRole). */
const SQS_CONSUMER = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/**
 * Reached, never called: the file-level reach over-approximates. Each entry says why the function does not need it.
 * (An action listed here must not be granted either.)
 */
const HISTORY_ONLY_PUTS = 'S3Documents also reads published postmortems (the API); the incident history only puts (handlers/shared/insights.ts)';
const INGEST_ONLY_PUTS = 'S3RawArchive also reads raw payloads for the API (archive:get-raw); ingest only puts (archive:put-raw)';
const REACHED_NOT_CALLED: Partial<Record<FunctionName, Record<string, string>>> = {
  ingestHttp: { 's3:GetObject': INGEST_ONLY_PUTS },
  ingestSns: { 's3:GetObject': INGEST_ONLY_PUTS },
  ingestEventBridge: { 's3:GetObject': INGEST_ONLY_PUTS },
  processAlerts: { 's3:GetObject': `${HISTORY_ONLY_PUTS}; ${INGEST_ONLY_PUTS.replace('ingest', 'the processor')}` },
  sweeper: {
    'cloudwatch:ListTagsForResource': 'the sweeper only reads alarm states (AlarmDetails.states: DescribeAlarms); the adapter file also holds the processor\'s tag lookup',
    's3:GetObject': HISTORY_ONLY_PUTS,
  },
  act: { 's3:GetObject': HISTORY_ONLY_PUTS },
  api: { 's3:GetObject': HISTORY_ONLY_PUTS },
};

const cache = new Map<string, SourceFileInfo>();
const info = (path: string) => cache.get(path) ?? cache.set(path, analyze(path)).get(path)!;

/** The IAM actions of the SDK commands reachable from a handler entry. */
function actionsReachedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  const actions = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of info(file).imports) {
      if (imp.typeOnly) continue;
      if (imp.target) todo.push(imp.target);
      else if (imp.specifier.startsWith('@aws-sdk/')) {
        for (const name of imp.names.filter((n) => n.endsWith('Command'))) {
          const service = SERVICE_OF_PACKAGE[imp.specifier];
          if (!service) throw new Error(`${file}: add ${imp.specifier} to SERVICE_OF_PACKAGE`);
          const action = `${service}:${name.replace(/Command$/, '')}`;
          actions.add(ACTION_OF_COMMAND[action] ?? action);
        }
      }
    }
  }
  return actions;
}

/**
 * Everything on: every contact type, every channel with a secret, EventBridge, the status page of the sample, the
 * incident history; without the sample's `access` section, so the API token's Lambda authorizer of the function table
 * is deployed too (the JWT authorizer of an access section is API Gateway's, with no function: test/lib/identity.test.ts).
 */
function everythingConfig() {
  return configWith(({ access: _access, ...c }) => ({
    ...c,
    insights: { history: { enabled: true } },
    sources: { ...c.sources, cloudwatch: { ...c.sources?.cloudwatch, eventBridgeRule: true } },
    people: (c.people ?? []).map((p) => (p.name === 'alice' ? { ...p, contacts: [...(p.contacts ?? []), { type: 'sms' as const, number: '+4915112345678' }] } : p)),
  }));
}

describe('least privilege (derived from the code)', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp(everythingConfig());
  });
  afterAll(cleanUpOutdirs);

  const deployed = () => FUNCTION_NAMES.filter((n) => built.pipelineStack.functions[n] !== undefined);

  function expectedOf(name: FunctionName): Set<string> {
    const spec = functionSpec(name);
    const expected = new Set([...actionsReachedFrom(spec.entry), ...ALWAYS]);
    if (triggerOf(name, 'sqs')) SQS_CONSUMER.forEach((a) => expected.add(a));
    if (spec.asyncDeadLetterQueue) expected.add('sqs:SendMessage');
    // The inline page's on-failure destination (lib/constructs/operations.ts): Lambda sends the failed event with the role.
    if (triggerOf(name, 'async-invoke')) expected.add('sqs:SendMessage');
    // SNS encrypts a message to a KMS-encrypted topic with the publisher's credentials.
    if (expected.has('sns:Publish') && built.pipelineStack.emailTopicKey) ['kms:GenerateDataKey', 'kms:Decrypt'].forEach((a) => expected.add(a));
    for (const action of Object.keys(REACHED_NOT_CALLED[name] ?? {})) expected.delete(action);
    return expected;
  }

  const grantedOf = (name: FunctionName) =>
    new Set(statementsOfRole(built.pipelineTemplate, logicalIdOf(built.pipelineStack.functions[name]!.role.node.defaultChild)).flatMap((s) => s.actions));

  it('deploys every function of the table with this config', () => {
    expect(deployed()).toEqual(FUNCTION_NAMES);
  });

  it.each(FUNCTION_NAMES)('grants %s no action its code does not call', (name) => {
    const granted = [...grantedOf(name)].sort();
    const expected = expectedOf(name);
    expect({ name, extra: granted.filter((a) => !expected.has(a)) }).toEqual({ name, extra: [] });
  });

  it.each(FUNCTION_NAMES)('grants %s every action its code calls', (name) => {
    const granted = grantedOf(name);
    expect({ name, missing: [...expectedOf(name)].filter((a) => !granted.has(a)).sort() }).toEqual({ name, missing: [] });
  });

  /** Every Allow statement of a function's roles, raw (Resource or NotResource), with the policy it is in. */
  function rawStatements(name: FunctionName): Array<{ policy: string; Action: string | string[]; Resource?: unknown; NotResource?: unknown }> {
    const role = logicalIdOf(built.pipelineStack.functions[name]!.role.node.defaultChild);
    return Object.entries(built.pipelineTemplate.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === role))
      .flatMap(([id, p]) => (p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>).filter((st) => st.Effect === 'Allow').map((st) => ({ policy: id, ...st }) as never));
  }

  it.each(FUNCTION_NAMES)('gives %s Resource "*" for X-Ray only, in a policy of its own', (name) => {
    const star = rawStatements(name).filter((st) => ([] as unknown[]).concat(st.Resource ?? []).includes('*'));
    expect(star.map((st) => ([] as string[]).concat(st.Action).sort())).toEqual([['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
    const tracingPolicy = logicalIdOf(built.pipelineStack.functions[name]!.tracingPolicy.node.defaultChild);
    expect(star[0]!.policy).toBe(tracingPolicy);
    expect(rawStatements(name).filter((st) => st.policy === tracingPolicy)).toHaveLength(1);
  });

  it('lets the Page step publish SMS to phone numbers only: no sns:Publish on "*", NotResource all SNS ARNs', () => {
    const publish = rawStatements('escalationStep').filter((st) => ([] as string[]).concat(st.Action).includes('sns:Publish'));
    const sms = publish.filter((st) => st.NotResource !== undefined);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.NotResource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] });
    expect(([] as string[]).concat(sms[0]!.Action)).toEqual(['sns:Publish']);
    // The email topics are granted by ARN, in a statement that names topics only.
    for (const st of publish.filter((x) => x.NotResource === undefined)) expect(JSON.stringify(st.Resource)).not.toContain('"*"');
  });

  it('invokes functions by their ARN, not every version and alias (no "<fn>.Arn:*")', () => {
    for (const name of FUNCTION_NAMES) {
      const invokes = rawStatements(name).filter((st) => ([] as string[]).concat(st.Action).includes('lambda:InvokeFunction'));
      for (const st of invokes) expect([name, JSON.stringify(st.Resource)]).not.toEqual([name, expect.stringContaining(':*')]);
    }
  });
});

describe('Resource "*" in the whole pipeline stack', () => {
  afterAll(cleanUpOutdirs);

  /** Actions that support no resource-level permission, and who needs them. */
  const NO_RESOURCE_LEVEL = new Set([
    'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', // X-Ray (functions, state machine)
    'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', // Step Functions logging
    'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
  ]);

  it('is granted only for actions without resource-level permissions (X-Ray, log delivery), in every role', () => {
    const built = buildApp();
    const star = Object.values(built.pipelineTemplate.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource?: unknown }>)
      .filter((st) => st.Effect === 'Allow' && ([] as unknown[]).concat(st.Resource ?? []).includes('*'))
      .flatMap((st) => ([] as string[]).concat(st.Action));
    expect(star.length).toBeGreaterThan(0);
    expect(star.filter((a) => !NO_RESOURCE_LEVEL.has(a))).toEqual([]);
  });
});
