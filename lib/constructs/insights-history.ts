/**
 * The incident history for Athena (docs/insights.md §History), deployed with `insights.history.enabled`: a Glue
 * database and table over `history/dt=YYYY-MM-DD/*.json` of the archive bucket (JSON Lines, one object per resolved
 * incident) with partition projection on `dt`, so no crawler and no `MSCK REPAIR` is ever needed, and an Athena
 * workgroup whose results go, encrypted, to a bucket of their own that forgets them after a week. The functions
 * that resolve incidents write the objects (grant `archive:history`); the archive's lifecycle rule for `history/`
 * (retainDays) is in the data stack.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HISTORY_COLUMNS, HISTORY_PREFIX } from '../../lambdas/core/insights/config';

/** Names in the Glue catalog and Athena (lowercase: Athena folds identifiers). */
export const HISTORY_DATABASE = 'alert_pipeline';
export const HISTORY_TABLE = 'incident_history';
export const HISTORY_WORKGROUP = 'alert-pipeline-insights';
/** Partitions Athena projects: from this day to today. */
const PROJECTION_START = '2024-01-01';
const RESULTS_EXPIRATION = Duration.days(7);

export interface InsightsHistoryProps {
  readonly archiveBucket: IBucket;
}

export class InsightsHistory extends Construct {
  public readonly database: glue.CfnDatabase;
  public readonly table: glue.CfnTable;
  public readonly workgroup: athena.CfnWorkGroup;
  public readonly resultsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: InsightsHistoryProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const location = `s3://${props.archiveBucket.bucketName}/${HISTORY_PREFIX}`;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: HISTORY_DATABASE, description: 'Alert pipeline: incident history (docs/insights.md)' },
    });
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: account,
      databaseName: HISTORY_DATABASE,
      tableInput: {
        name: HISTORY_TABLE,
        description: 'One JSON line per resolved incident, partitioned by the UTC day it opened',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'dt', type: 'string' }],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${PROJECTION_START},NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `${location}dt=\${dt}/`,
        },
        storageDescriptor: {
          location,
          columns: HISTORY_COLUMNS.map(([name, type]) => ({ name, type })),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'true' } },
        },
      },
    });
    this.table.addDependency(this.database);

    this.resultsBucket = new s3.Bucket(this, 'ResultsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-query-results', expiration: RESULTS_EXPIRATION, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    Validations.of(this.resultsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Athena query results only, kept 7 days; who ran which query is in CloudTrail (Athena StartQueryExecution), so access logs of the results would add nothing.',
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: HISTORY_WORKGROUP,
      description: 'Alert pipeline: queries over the incident history (docs/insights.md)',
      recursiveDeleteOption: true,
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        // At most 1 GB scanned per query: a year of history is a few hundred MB.
        bytesScannedCutoffPerQuery: 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
