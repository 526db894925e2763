/**
 * AlertDataStack: the stateful half of the pipeline (incident table, raw archive). Everything here is retained
 * when the stack is deleted, and construct ids are never renamed (a new id would mean a new, empty resource).
 * The pipeline stack can be destroyed and redeployed freely on top of it.
 */
import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';

export type AlertDataStackProps = StackProps;

/** Raw payloads move to S3 Standard-IA after this many days (objects under 128 KB stay in Standard, see below). */
export const ARCHIVE_INFREQUENT_ACCESS_AFTER = Duration.days(30);

/** S3 server access logs of the archive are kept this long. */
export const ACCESS_LOG_EXPIRATION = Duration.days(365);

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

export class AlertDataStack extends Stack {
  public readonly table: dynamodb.Table;
  public readonly archiveBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AlertDataStackProps = {}) {
    super(scope, id, props);

    // Keys, TTL attribute and indexes come from the one description shared with the local runtime.
    this.table = new dynamodb.Table(this, 'IncidentTable', {
      partitionKey: stringKey(INCIDENT_TABLE.partitionKey),
      sortKey: stringKey(INCIDENT_TABLE.sortKey),
      timeToLiveAttribute: INCIDENT_TABLE.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of INCIDENT_TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        // KEYS_ONLY: hot count updates on an incident never write to an index.
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: ACCESS_LOG_EXPIRATION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the destination of the raw archive\'s server access logs; logging it to itself would log its own log deliveries ' +
        'in a loop, and a third bucket would only move the question.',
    });

    this.archiveBucket = new s3.Bucket(this, 'RawArchiveBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'raw-archive/',
      // S3's default: objects under 128 KB never transition (Standard-IA bills at least 128 KB per object, so
      // moving small payloads would cost more). Stated here so nobody wonders why small payloads stay in Standard.
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      lifecycleRules: [
        {
          id: 'infrequent-access-after-30-days',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ARCHIVE_INFREQUENT_ACCESS_AFTER }],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ARCHIVE_INFREQUENT_ACCESS_AFTER },
          ],
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
