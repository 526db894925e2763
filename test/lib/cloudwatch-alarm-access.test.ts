/** The grants of CloudWatch alarm enrichment and reconciliation: exactly the calls the code makes, on this account's alarms. */
import { buildApp, cleanUpOutdirs, logicalIdOf, statementsOfRole, type BuiltApp } from './helpers';

const ALARMS = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] };

describe('CloudWatch alarm access', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp();
  });
  afterAll(cleanUpOutdirs);
  const cloudwatchOf = (name: keyof BuiltApp['pipelineStack']['functions']) =>
    statementsOfRole(built.pipelineTemplate, logicalIdOf(built.pipelineStack.functions[name]!.role.node.defaultChild))
      .filter((s) => s.actions.some((a) => a.startsWith('cloudwatch:')));

  it('the processor may ListTagsForResource and DescribeAlarms on the alarms of this account and Region, nothing else of CloudWatch', () => {
    expect(cloudwatchOf('processAlerts')).toEqual([{ actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'], resources: [ALARMS] }]);
  });

  it('the sweeper may only DescribeAlarms, on the same alarms', () => {
    expect(cloudwatchOf('sweeper')).toEqual([{ actions: ['cloudwatch:DescribeAlarms'], resources: [ALARMS] }]);
  });

  it('no other function reads CloudWatch alarms', () => {
    // Every deployed function but the two above (the sample's access section leaves the Lambda authorizer out).
    const names = (Object.keys(built.pipelineStack.functions) as (keyof BuiltApp['pipelineStack']['functions'])[])
      .filter((n) => built.pipelineStack.functions[n] !== undefined && n !== 'processAlerts' && n !== 'sweeper');
    expect(names).toEqual(expect.arrayContaining(['ingestHttp', 'ingestSns', 'escalationStep', 'api', 'act']));
    for (const name of names) {
      expect([name, cloudwatchOf(name)]).toEqual([name, []]);
    }
  });
});
