/**
 * The function table (lambdas/handlers/functions.ts) is what the stack deploys: one Lambda function per enabled
 * entry, with exactly the table's environment, and each trigger wired to it.
 */
import { POWERTOOLS_ENV } from '../../lib/constructs/operations';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { enabledFunctions, FUNCTION_NAMES, functionSpec, functionsTriggeredBy, triggerOf, type HttpFunctionName } from '../../lambdas/handlers/functions';
import { HTTP_ROUTES, routeKeyOf, routesOf } from '../../lambdas/handlers/routes';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { Match } from 'aws-cdk-lib/assertions';
import { buildApp, cleanUpOutdirs, configWith, defaultConfig, logicalIdOf, pipelineFunctions, PROJECT_ROOT, type BuiltApp } from './helpers';

/** The default config enables no EventBridge rule of any source. */
/** The default config: no EventBridge rule; triggers with `when: 'statusPage'` as its statusPage section says. */
const hasStatusPage = defaultConfig().statusPage !== undefined;
// `when` of a trigger: statusPage (config/pipeline.yaml has one), noAccess (it has an access section: no Lambda authorizer).
// The default config has live integrations, so the token rotation function is deployed.
const whenEnabled = { statusPage: hasStatusPage, noAccess: defaultConfig().access === undefined } as Record<string, boolean>;
const enabledWhen = (trigger: { kind: string; when?: string }) => trigger.when === undefined || whenEnabled[trigger.when] === true;
const withoutEventBridgeRules = (trigger: { kind: string; when?: string }) => trigger.kind !== 'eventbridge' && enabledWhen(trigger);

describe('the function table', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp();
  });
  afterAll(cleanUpOutdirs);
  const fnId = (name: (typeof FUNCTION_NAMES)[number]) => logicalIdOf(built.pipelineStack.functions[name]!.function.node.defaultChild);
  const lambdaFunctions = () => pipelineFunctions(built.pipelineTemplate);

  it('names handler files that exist and export a handler and a handler factory', () => {
    for (const name of FUNCTION_NAMES) {
      const file = path.join(PROJECT_ROOT, functionSpec(name).entry);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/export const handler\b/);
      expect(text).toMatch(/export function create\w+Handler\(/);
    }
  });

  it('is imported by lib/ without handler code: it imports types only', () => {
    const text = readFileSync(path.join(PROJECT_ROOT, 'lambdas/handlers/functions.ts'), 'utf8');
    const imports = [...text.matchAll(/^import (type )?.*from '([^']+)';$/gm)].map((m) => ({ typeOnly: Boolean(m[1]), from: m[2] }));
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !i.typeOnly).map((i) => i.from)).toEqual([]);
  });

  it('deploys one function per enabled entry, each with exactly its environment', () => {
    const names = enabledFunctions(withoutEventBridgeRules);
    expect(Object.keys(lambdaFunctions())).toHaveLength(names.length);
    for (const name of names) {
      const env = lambdaFunctions()[fnId(name)]?.Properties.Environment.Variables as Record<string, unknown>;
      // Plus the Powertools settings every function gets from the Operations construct (metrics namespace and service).
      const own = Object.keys(env).filter((k) => !(Object.values(POWERTOOLS_ENV) as string[]).includes(k));
      expect(Object.keys(env)).toEqual(expect.arrayContaining(Object.values(POWERTOOLS_ENV)));
      expect([name, own.sort()]).toEqual([name, functionSpec(name).environment.map((k) => ENV[k]).sort()]);
    }
  });

  it('leaves out an optional function none of whose triggers the config enables, and adds it when one is', () => {
    expect(built.pipelineStack.functions.ingestEventBridge).toBeUndefined();
    const other = buildApp(configWith((c) => ({ ...c, sources: { ...c.sources, guardduty: { ...c.sources?.guardduty, eventBridgeRule: true } } })));
    expect(Object.keys(pipelineFunctions(other.pipelineTemplate))).toHaveLength(enabledFunctions(enabledWhen).length);
    expect(other.pipelineStack.functions.ingestEventBridge).toBeDefined();
  });

  it('serves each route of HTTP_ROUTES with the function the table says', () => {
    const integrations = built.pipelineTemplate.findResources('AWS::ApiGatewayV2::Integration');
    const routes = Object.values(built.pipelineTemplate.findResources('AWS::ApiGatewayV2::Route'));
    for (const name of functionsTriggeredBy('http')) {
      expect(routesOf(name as HttpFunctionName).length).toBeGreaterThan(0);
      for (const route of routesOf(name as HttpFunctionName)) {
        const r = routes.find((x) => x.Properties.RouteKey === routeKeyOf(route))!;
        const integrationId = (r.Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
        expect(JSON.stringify(integrations[integrationId.Ref]!.Properties.IntegrationUri)).toContain(fnId(name));
      }
    }
    expect(routes).toHaveLength(HTTP_ROUTES.length);
  });

  it('wires the queue, schedule and state machine triggers to the functions the table names', () => {
    const [consumer] = functionsTriggeredBy('sqs');
    built.pipelineTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: fnId(consumer!) } });
    const [scheduled] = functionsTriggeredBy('schedule');
    built.pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${triggerOf(scheduled!, 'schedule')!.everyMinutes} minute)`,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId(scheduled!), 'Arn'] } })],
    });
    const [task] = functionsTriggeredBy('state-machine-task');
    const sm = Object.values(built.pipelineTemplate.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    expect(JSON.stringify(sm.Properties.DefinitionString)).toContain(fnId(task!));
  });
});
