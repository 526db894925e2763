import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { ESCALATION_STATES } from '../../lib/constructs/escalation-state-machine';
import { actionsOfRole, statementsOfRole, buildApp, cleanUpOutdirs, configWith, logicalIdOf, type BuiltApp } from './helpers';

describe('escalation resources', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp();
  });
  afterAll(cleanUpOutdirs);
  const stack = () => built.pipelineStack;
  const template = () => built.pipelineTemplate;
  const roleId = (name: keyof BuiltApp['pipelineStack']['functions']) => logicalIdOf(stack().functions[name]!.role.node.defaultChild);

  it('is one Standard state machine with tracing and full execution logging', () => {
    template().resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template().hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('loops Wait -> Page -> Continue? in JSONPath, starting with the hold', () => {
    const sm = Object.values(template().findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const parts = (sm.Properties.DefinitionString['Fn::Join'] as [string, unknown[]])[1];
    const text = parts.map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
    const definition = JSON.parse(text);
    expect(definition.StartAt).toBe(ESCALATION_STATES.wait);
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(definition.States[ESCALATION_STATES.wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.waitSeconds', Next: ESCALATION_STATES.page });
    expect(definition.States[ESCALATION_STATES.page]).toMatchObject({ Type: 'Task', Next: ESCALATION_STATES.choice });
    expect(definition.States[ESCALATION_STATES.choice]).toMatchObject({ Type: 'Choice', Default: ESCALATION_STATES.wait });
    expect(definition.States[ESCALATION_STATES.done]).toMatchObject({ Type: 'Succeed' });
  });

  it('catches a Page step that failed for good: records it on the timeline through the same function, then fails the execution', () => {
    const sm = Object.values(template().findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const parts = (sm.Properties.DefinitionString['Fn::Join'] as [string, unknown[]])[1];
    const definition = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, "'"))).join(''));
    const page = definition.States[ESCALATION_STATES.page];
    expect(page.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.pageError', Next: ESCALATION_STATES.recordFailure }]);
    const record = definition.States[ESCALATION_STATES.recordFailure];
    expect(record).toMatchObject({ Type: 'Task', Next: ESCALATION_STATES.failed });
    expect(record.Resource).toBe(page.Resource); // the escalation-step function, as the Page task
    expect(definition.States[ESCALATION_STATES.failed]).toMatchObject({ Type: 'Fail', Error: 'PageFailed' });
  });

  it('lets the processor, the API, the links and the sweeper start and stop executions, and nobody else', () => {
    for (const fn of ['processAlerts', 'api', 'act', 'sweeper'] as const) {
      expect(actionsOfRole(template(), roleId(fn))).toEqual(expect.arrayContaining(['states:StartExecution', 'states:StopExecution', 'lambda:InvokeFunction']));
    }
    for (const fn of ['ingestHttp', 'ingestSns', 'escalationStep'] as const) {
      expect(actionsOfRole(template(), roleId(fn))).not.toContain('states:StartExecution');
    }
  });

  it('gives the Page step the link key, the public URL and the channel secret prefix, read-only', () => {
    const fn = template().findResources('AWS::Lambda::Function')[logicalIdOf(stack().functions.escalationStep!.function.node.defaultChild)]!;
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
      expect.arrayContaining([ENV.tableName, ENV.actionLinkSecretId, ENV.publicBaseUrl, ENV.channelSecretPrefix, ENV.emailTopicArns]),
    );
    const actions = actionsOfRole(template(), roleId('escalationStep'));
    expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    expect(actions).not.toContain('secretsmanager:PutSecretValue');
    // The default config has email contacts and no SMS: publishing only to those people's topics, never to "*".
    const publish = statementsOfRole(template(), roleId('escalationStep')).filter((st) => st.actions.includes('sns:Publish'));
    const topics = Object.values(stack().emailTopics).map((t) => ({ Ref: logicalIdOf(t.node.defaultChild) }));
    expect(topics.length).toBeGreaterThan(0);
    expect(publish.flatMap((st) => st.resources)).toEqual(topics);
  });

  it('creates an email topic per person with an email contact, and SMS publishing only when someone has a phone', () => {
    const other = buildApp(configWith((c) => ({
      ...c,
      people: (c.people ?? []).map((p) =>
        p.name === 'alice' ? { ...p, contacts: [{ type: 'email' as const, address: 'alice@example.com' }, { type: 'sms' as const, number: '+14155550100' }] } : { ...p, contacts: [] },
      ),
    })));
    other.pipelineTemplate.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alice@example.com' }, 1);
    const role = logicalIdOf(other.pipelineStack.functions.escalationStep!.role.node.defaultChild);
    expect(actionsOfRole(other.pipelineTemplate, role)).toContain('sns:Publish');
  });

  it('routes /act and /ical to the link function without an authorizer', () => {
    for (const key of ['GET /act/{token}', 'POST /act/{token}', 'GET /ical/{token}']) {
      template().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'NONE' });
    }
  });
});
