/**
 * Stages, tags and lifecycle (docs/deploy.md §Stages, tags and lifecycle): two stages synthesize side by side with
 * disjoint names; every taggable resource carries application, stage and owner; the tokens and the link key live in
 * the data stack, named and retained; no stack imports a value from the other (no export can block an update).
 */
import { App, CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createApp } from '../../lib/app';
import { ConfigError } from '../../lambdas/core/errors';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { buildApp, cleanUpOutdirs, configWith, defaultConfig, logicalIdOf, testAppProps, withoutAccess, type BuiltApp } from './helpers';

const templates = (b: BuiltApp) => [b.dataTemplate, b.pipelineTemplate];

/** Every name that must be unique in an account and Region, from both templates. */
function uniqueNames(b: BuiltApp): string[] {
  const names = [b.dataStack.stackName, b.pipelineStack.stackName];
  for (const t of templates(b)) {
    const json = t.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Outputs?: Record<string, { Export?: { Name: unknown } }> };
    for (const r of Object.values(json.Resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::SecretsManager::Secret') names.push(String(p.Name));
      if (r.Type === 'AWS::SSM::Parameter') names.push(String(p.Name));
      if (r.Type === 'AWS::SNS::Topic' && p.TopicName !== undefined) names.push(String(p.TopicName));
      if (r.Type === 'AWS::Logs::LogGroup' && p.LogGroupName !== undefined) names.push(JSON.stringify(p.LogGroupName));
    }
    for (const o of Object.values(json.Outputs ?? {})) if (o.Export) names.push(JSON.stringify(o.Export.Name));
  }
  return names;
}

describe('stages', () => {
  afterAll(cleanUpOutdirs);

  it('synthesizes two stages with disjoint stack, secret, parameter, log group and export names', () => {
    const dev = buildApp();
    const prod = buildAppFor('prod');
    expect(dev.names.stage).toBe('dev');
    expect(prod.pipelineStack.stackName).toBe('prod-AlertPipelineStack');
    expect(prod.dataStack.stackName).toBe('prod-AlertDataStack');
    const devNames = uniqueNames(dev);
    const prodNames = uniqueNames(prod);
    expect(prodNames.length).toBeGreaterThanOrEqual(2 + 3 + 2);
    expect(prodNames.filter((n) => devNames.includes(n))).toEqual([]);
    expect(prodNames).toEqual(expect.arrayContaining(['alert-pipeline/prod/api-token', '/alert-pipeline/prod/incident-table-name', 'alert-pipeline-prod-alarms']));
  });

  it('gives the Page step the stage\'s channel-secret prefix', () => {
    const prod = buildAppFor('prod');
    const fn = prod.pipelineTemplate.findResources('AWS::Lambda::Function')[logicalIdOf(prod.pipelineStack.functions.escalationStep!.function.node.defaultChild)];
    expect(fn?.Properties.Environment.Variables[ENV.channelSecretPrefix]).toBe('alert-pipeline/prod/channels/');
  });

  it('takes the stage from the CDK context (-c stage=prod)', () => {
    const { pipelineStack } = createApp(defaultConfig(), { appProps: { ...testAppProps(), context: { ...testAppProps().context, stage: 'prod' } }, nag: false });
    expect(pipelineStack.stackName).toBe('prod-AlertPipelineStack');
  });

  it.each(['Prod', 'a_b', '-x', 'x-', 'a--b', '1st', 'x'.repeat(21)])('rejects the stage %j with a ConfigError naming the rule', (stage) => {
    expect(() => createApp(defaultConfig(), { appProps: testAppProps(), nag: false, stage })).toThrow(ConfigError);
    expect(() => createApp(defaultConfig(), { appProps: testAppProps(), nag: false, stage })).toThrow(/lower-case letters, digits and single hyphens/);
  });
});

function buildAppFor(stage: string, config = defaultConfig()): BuiltApp {
  const built = createApp(config, { appProps: testAppProps(), nag: false, stage });
  return { ...built, dataTemplate: Template.fromStack(built.dataStack), pipelineTemplate: Template.fromStack(built.pipelineStack) };
}

describe('tags', () => {
  afterAll(cleanUpOutdirs);

  /** The rendered tags of a resource, whatever shape its type uses (list of Key/Value, or a map). */
  function tagsOf(resource: { Properties?: Record<string, unknown> }, property: string): Record<string, unknown> {
    const raw = resource.Properties?.[property.charAt(0).toUpperCase() + property.slice(1)];
    if (Array.isArray(raw)) return Object.fromEntries((raw as Array<{ Key: string; Value: unknown }>).map((t) => [t.Key, t.Value]));
    return (raw ?? {}) as Record<string, unknown>;
  }

  it('puts application, stage and owner (config deployment.owner) on every taggable resource of both stacks', () => {
    const built = buildAppFor('prod', configWith((c) => ({ ...c, deployment: { owner: 'platform-team' } })));
    let checked = 0;
    for (const stack of [built.dataStack, built.pipelineStack] as Stack[]) {
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>;
      const taggable = stack.node.findAll().filter((c: IConstruct): c is CfnResource & { tags: TagManager } => c instanceof CfnResource && TagManager.isTaggable(c));
      for (const cfn of taggable) {
        const id = stack.getLogicalId(cfn);
        const resource = resources[id];
        if (!resource) continue; // not rendered (a condition-less CfnResource removed by its construct)
        expect([id, tagsOf(resource, cfn.tags.tagPropertyName)]).toEqual([id, expect.objectContaining({ application: 'alert-pipeline', stage: 'prod', owner: 'platform-team' })]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
    // The stacks themselves carry them too (CloudFormation propagates stack tags at deploy).
    for (const stack of [built.dataStack, built.pipelineStack]) {
      expect(stack.tags.tagValues()).toEqual({ application: 'alert-pipeline', stage: 'prod', owner: 'platform-team' });
    }
  });

  it('tags owner "unassigned" when the config has no deployment.owner', () => {
    const built = buildApp(configWith((c) => ({ ...c, deployment: undefined })));
    built.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', { Tags: Match.arrayWith([{ Key: 'owner', Value: 'unassigned' }]) });
  });
});

describe('lifecycle', () => {
  let built: BuiltApp;
  beforeAll(() => {
    // Without the sample's access section: the API token's Lambda authorizer reads its secret by name.
    built = buildApp(withoutAccess());
  });
  afterAll(cleanUpOutdirs);

  it('keeps the ingest token, the API token and the action-link key in the data stack, named by stage and retained', () => {
    const secrets = built.dataTemplate.findResources('AWS::SecretsManager::Secret');
    // (and one token per integration of the sample config: test/lib/integration-tokens.test.ts)
    expect(Object.values(secrets).map((s) => s.Properties.Name as string).filter((n) => !n.includes('/integrations/')).sort()).toEqual(['alert-pipeline/dev/action-link-key', 'alert-pipeline/dev/api-token', 'alert-pipeline/dev/ingest-token']);
    for (const s of Object.values(secrets)) expect([s.DeletionPolicy, s.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    built.pipelineTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('has no cross-stack export: the data stack exports nothing and the pipeline stack imports nothing', () => {
    const exported = Object.values(built.dataTemplate.toJSON().Outputs ?? {}).filter((o) => (o as { Export?: unknown }).Export);
    expect(exported).toEqual([]);
    expect(JSON.stringify(built.pipelineTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(built.pipelineStack.dependencies).toContain(built.dataStack);
  });

  it('names the alarm topic, so the ARN alarm actions hold survives a re-create of the pipeline stack', () => {
    built.pipelineTemplate.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'alert-pipeline-dev-alarms' });
  });

  it('reads the table and archive names from SSM parameters the data stack writes', () => {
    const params = Object.values(built.dataTemplate.findResources('AWS::SSM::Parameter'));
    expect(params.map((p) => p.Properties.Name).sort()).toEqual(['/alert-pipeline/dev/incident-table-name', '/alert-pipeline/dev/raw-archive-bucket-name']);
    const parameters = built.pipelineTemplate.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const ssm = Object.values(parameters).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && !p.Default.startsWith('/cdk-bootstrap/')).map((p) => p.Default).sort();
    expect(ssm).toEqual(['/alert-pipeline/dev/incident-table-name', '/alert-pipeline/dev/raw-archive-bucket-name']);
  });

  it('gives the functions the secrets by name and IAM exactly those secrets', () => {
    const fns = built.pipelineTemplate.findResources('AWS::Lambda::Function');
    const authorizer = fns[logicalIdOf(built.pipelineStack.functions.authorizer!.function.node.defaultChild)];
    expect(authorizer?.Properties.Environment.Variables[ENV.apiTokenSecretId]).toBe('alert-pipeline/dev/api-token');
    expect(JSON.stringify(built.pipelineTemplate.findResources('AWS::IAM::Policy'))).toContain(':secret:alert-pipeline/dev/api-token-??????');
  });
});

describe('custom API domain (deployment.domain)', () => {
  afterAll(cleanUpOutdirs);
  const domain = {
    name: 'alerts.example.com',
    certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1111-2222-3333-444455556666',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
  };

  it('keeps the domain name and its alias record in the data stack (retained) and maps the API to it by name', () => {
    const built = buildApp(configWith((c) => ({ ...c, deployment: { owner: 'platform-team', domain } })));
    built.dataTemplate.hasResource('AWS::ApiGatewayV2::DomainName', { DeletionPolicy: 'Retain', Properties: { DomainName: domain.name } });
    built.dataTemplate.hasResource('AWS::Route53::RecordSet', { DeletionPolicy: 'Retain', Properties: { Name: 'alerts.example.com.', Type: 'A' } });
    built.pipelineTemplate.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { DomainName: domain.name, Stage: '$default' });
    built.pipelineTemplate.hasOutput('ApiUrl', { Value: 'https://alerts.example.com/' });
    const fns = built.pipelineTemplate.findResources('AWS::Lambda::Function');
    const step = fns[logicalIdOf(built.pipelineStack.functions.escalationStep!.function.node.defaultChild)];
    expect(step?.Properties.Environment.Variables[ENV.publicBaseUrl]).toBe('https://alerts.example.com');
    expect(JSON.stringify(built.pipelineTemplate.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('rejects a hosted zone id without its name', () => {
    expect(() => configWith((c) => ({ ...c, deployment: { domain: { ...domain, hostedZoneName: undefined } } }))).toThrow(/hostedZoneId and domain.hostedZoneName go together/);
  });
});

// Keep the App import used (helpers re-export it for hand-built apps).
void App;
