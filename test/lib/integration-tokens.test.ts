/**
 * One token per integration in the CDK app: a retained secret per integration in the stateful stack, read and
 * rotation grants on exactly the live ones, URL outputs with a placeholder (never a token), cdk-nag clean.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { buildApp, cleanUpOutdirs, configWith, logicalIdOf, statementsOfRole, testAppProps, type BuiltApp } from './helpers';

const config = configWith((c) => ({
  ...c,
  integrations: [
    { name: 'ts-prod', source: 'threatstack', allowedIps: ['203.0.113.0/24'] },
    { name: 'am-eu', source: 'alertmanager' },
    { name: 'am-old', source: 'alertmanager', revoked: true },
    { name: 'pd', source: 'events-v2' },
    { name: 'gd-org', source: 'guardduty' },
    { name: 'default', revoked: true },
  ],
}));
/** Secret names of the default stage (`dev`). */
const SECRET_NAME_PREFIX = 'alert-pipeline/dev/';
const LIVE = ['ts-prod', 'am-eu', 'pd', 'gd-org'];
/** IAM sorts a statement's resources: compare in that order. */
const LIVE_SORTED = [...LIVE].sort();
const secretArnPattern = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${SECRET_NAME_PREFIX}integrations/${name}-??????`]],
});

describe('integration tokens in the stacks', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp(config);
  });
  afterAll(cleanUpOutdirs);
  const role = (fn: 'ingestHttp' | 'rotateIntegrationToken') => logicalIdOf(built.pipelineStack.functions[fn]!.role.node.defaultChild);

  it('creates one retained secret per integration with a token of its own (revoked ones kept) in the stateful stack', () => {
    const secrets = built.dataTemplate.findResources('AWS::SecretsManager::Secret');
    expect(Object.values(secrets).map((s) => s.Properties.Name as string).filter((n) => n.includes('/integrations/')).sort()).toEqual(
      ['am-eu', 'am-old', 'gd-org', 'pd', 'ts-prod'].map((n) => `${SECRET_NAME_PREFIX}integrations/${n}`),
    );
    for (const s of Object.values(secrets).filter((x) => String(x.Properties.Name).includes('/integrations/'))) {
      expect(s).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(s.Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'current', SecretStringTemplate: '{}' });
    }
    built.pipelineTemplate.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { Name: `${SECRET_NAME_PREFIX}integrations/ts-prod` }, 0);
  });

  /** The integration secrets among a role's statements' resources, with the actions granted on them. */
  const integrationGrants = (roleId: string) => statementsOfRole(built.pipelineTemplate, roleId).flatMap((st) => {
    const resources = st.resources.filter((r) => JSON.stringify(r).includes('/integrations/'));
    return resources.length > 0 ? [{ actions: st.actions, resources }] : [];
  });

  it('grants the ingest function GetSecretValue on exactly the live integrations\' secrets', () => {
    expect(integrationGrants(role('ingestHttp'))).toEqual([{ actions: ['secretsmanager:GetSecretValue'], resources: LIVE_SORTED.map(secretArnPattern) }]);
  });

  it('tells the ingest function the secret of each live integration', () => {
    const fn = built.pipelineTemplate.findResources('AWS::Lambda::Function')[logicalIdOf(built.pipelineStack.functions.ingestHttp!.function.node.defaultChild)]!;
    expect(JSON.parse(fn.Properties.Environment.Variables[ENV.integrationTokenSecrets])).toEqual(
      Object.fromEntries(LIVE.map((n) => [n, `${SECRET_NAME_PREFIX}integrations/${n}`])),
    );
  });

  it('gives the rotation function the four rotation calls on the same secrets, invocable by Secrets Manager of this account only', () => {
    expect(integrationGrants(role('rotateIntegrationToken'))).toEqual([{
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      resources: LIVE_SORTED.map(secretArnPattern),
    }]);
    built.pipelineTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'secretsmanager.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' }, Action: 'lambda:InvokeFunction',
    });
  });

  it('outputs each live integration\'s URL with a placeholder, never a token, and none for a revoked one', () => {
    const outputs = built.pipelineTemplate.findOutputs('*');
    const url = (id: string) => JSON.stringify(outputs[id]?.Value);
    expect(url('IntegrationTsProdUrl')).toContain('ingest/threatstack/<TOKEN>');
    expect(url('IntegrationAmEuUrl')).toContain('ingest/alertmanager/<TOKEN>');
    expect(url('IntegrationPdUrl')).toContain('ingest/events/v2');
    expect(outputs.IntegrationPdUrl!.Description).toContain('routing_key');
    expect(url('IntegrationGdOrgUrl')).toContain('ingest/eventbridge/<TOKEN>');
    expect(outputs.IntegrationAmOldUrl).toBeUndefined();
    expect(outputs.IntegrationTsProdUrl!.Description).toContain(`--secret-id ${SECRET_NAME_PREFIX}integrations/ts-prod`);
    expect(outputs.IntegrationTokenRotationFunctionArn).toBeDefined();
  });

  it('is cdk-nag clean', () => {
    const { app } = createApp(config, { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
  });

  it('deploys no secret, grant or rotation function without integrations', () => {
    const none = buildApp(configWith((c) => ({ ...c, integrations: [] })));
    expect(JSON.stringify(none.dataTemplate.toJSON())).not.toContain('/integrations/');
    expect(none.pipelineStack.functions.rotateIntegrationToken).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(none.pipelineStack).toJSON())).not.toContain(`:secret:${SECRET_NAME_PREFIX}integrations/`);
  });
});
