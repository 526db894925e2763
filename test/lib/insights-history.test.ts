/**
 * The incident history in AWS (docs/insights.md §History): with `insights.history.enabled` the pipeline stack has
 * a Glue database and table with partition projection over `history/` of the archive, an Athena workgroup with
 * encrypted results, the functions that resolve incidents may put objects under `history/` only, and the archive
 * expires them after `retainDays`; without it none of that. cdk-nag clean.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import { HISTORY_DATABASE, HISTORY_TABLE, HISTORY_WORKGROUP } from '../../lib/constructs/insights-history';
import { HISTORY_COLUMNS } from '../../lambdas/core/insights/config';
import { FUNCTIONS } from '../../lambdas/handlers/functions';
import { buildApp, cleanUpOutdirs, configWith, statementsOfRole, testAppProps } from './helpers';

const withHistory = () => configWith((c) => ({ ...c, insights: { history: { enabled: true, retainDays: 400 } } }));

const roleOf = (t: ReturnType<typeof buildApp>['pipelineTemplate'], fnId: string) =>
  Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.startsWith(fnId) && !id.includes('Custom'))!;

describe('incident history (S3 / Glue / Athena)', () => {
  afterAll(cleanUpOutdirs);

  it('has the Glue table with partition projection over history/ of the archive and an Athena workgroup with encrypted results', () => {
    const { pipelineTemplate: t } = buildApp(withHistory());
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: HISTORY_DATABASE } });
    t.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: HISTORY_DATABASE,
      TableInput: Match.objectLike({
        Name: HISTORY_TABLE,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        Parameters: Match.objectLike({
          'projection.enabled': 'true', 'projection.dt.type': 'date', 'projection.dt.format': 'yyyy-MM-dd',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', Match.anyValue(), '/history/dt=${dt}/']] },
        }),
        StorageDescriptor: Match.objectLike({
          Columns: HISTORY_COLUMNS.map(([Name, Type]) => ({ Name, Type })),
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      }),
    });
    t.resourceCountIs('AWS::Glue::Crawler', 0);
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: HISTORY_WORKGROUP,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { OutputLocation: Match.anyValue(), EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      }),
    });
  });

  it('lets the functions that resolve incidents put objects under history/ only, and expires them after retainDays', () => {
    const built = buildApp(withHistory());
    const t = built.pipelineTemplate;
    for (const name of ['processAlerts', 'api', 'act', 'sweeper'] as const) {
      expect(FUNCTIONS[name].grants).toContain('archive:history');
      const statements = statementsOfRole(t, roleOf(t, FUNCTIONS[name].id));
      const history = statements.filter((s) => JSON.stringify(s.resources).includes('/history/*'));
      expect(history).toHaveLength(1);
      expect(history[0]!.actions).toEqual(['s3:PutObject']);
    }
    built.dataTemplate.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-history', Prefix: 'history/', ExpirationInDays: 400, Status: 'Enabled' })]) },
    });
  });

  it('without the history: no Glue, no Athena, no history grant, no lifecycle rule', () => {
    const built = buildApp();
    built.pipelineTemplate.resourceCountIs('AWS::Glue::Table', 0);
    built.pipelineTemplate.resourceCountIs('AWS::Athena::WorkGroup', 0);
    expect(JSON.stringify(built.pipelineTemplate.toJSON())).not.toContain('/history/*');
    expect(JSON.stringify(built.dataTemplate.toJSON())).not.toContain('expire-history');
  });

  it('passes cdk-nag', () => {
    const { app } = createApp(withHistory(), { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
  });
});
