/**
 * AlertDataStack: the stateful half of the pipeline (incident table, raw archive, the tokens senders hold (the
 * single ingest token and one per integration), the action-link key, the API's custom domain). Everything here is retained when the stack is deleted, and construct
 * ids are never renamed (a new id would mean a new, empty resource). The pipeline stack can be destroyed and
 * redeployed freely on top of it: it reads this stack's names from SSM parameters and its secrets by name
 * (lib/constructs/shared-value.ts), so this stack has no CloudFormation exports.
 */
import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';
import { HISTORY_PREFIX } from '../../lambdas/core/insights/config';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { StageNames } from '../config/stage';
import { ApiDomain } from '../constructs/api-domain';
import { publishValue, SHARED_SECRETS, SHARED_VALUES } from '../constructs/shared-value';
import { TokenSecret } from '../constructs/token-secret';
import { IntegrationTokens } from '../constructs/integration-tokens';

export interface AlertDataStackProps extends StackProps {
  /** The validated pipeline config (`deployment.domain`). */
  readonly pipelineConfig: PipelineConfig;
}

/** Raw payloads move to S3 Standard-IA after this many days (objects under 128 KB stay in Standard, see below). */
export const ARCHIVE_INFREQUENT_ACCESS_AFTER = Duration.days(30);

/** S3 server access logs of the archive are kept this long. */
export const ACCESS_LOG_EXPIRATION = Duration.days(365);

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

export class AlertDataStack extends Stack {
  public readonly table: dynamodb.Table;
  public readonly archiveBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly ingestToken: TokenSecret;
  public readonly apiToken: TokenSecret;
  public readonly actionLinkKey: TokenSecret;
  /** The API's custom domain (null without `deployment.domain`). */
  public readonly apiDomain: ApiDomain | null;
  /** The token secret of each ingest integration (`integrations:` of the config). */
  public readonly integrationTokens: IntegrationTokens;

  constructor(scope: Construct, id: string, props: AlertDataStackProps) {
    super(scope, id, props);
    const names = StageNames.of(this);

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
        // The incident history (docs/insights.md §History), when it is on: kept insights.history.retainDays.
        ...(props.pipelineConfig.insights.history.enabled
          ? [{ id: 'expire-history', prefix: HISTORY_PREFIX, expiration: Duration.days(props.pipelineConfig.insights.history.retainDays), noncurrentVersionExpiration: Duration.days(1) }]
          : []),
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    publishValue(this, 'IncidentTableNameParameter', SHARED_VALUES.incidentTableName, this.table.tableName, 'Alert pipeline: name of the incident table (read by the pipeline stack)');
    publishValue(this, 'ArchiveBucketNameParameter', SHARED_VALUES.archiveBucketName, this.archiveBucket.bucketName, 'Alert pipeline: name of the raw archive bucket (read by the pipeline stack)');

    // The tokens that senders and API clients hold, and the key of the links already sent, outlive the pipeline
    // stack: fixed names (the pipeline stack names them) and RETAIN (never deleted with a stack).
    const token = (construct: string, name: string, description: string, noRotationReason?: string) =>
      new TokenSecret(this, construct, { description, secretName: names.secretName(name), removalPolicy: RemovalPolicy.RETAIN, noRotationReason });
    this.ingestToken = token('IngestToken', SHARED_SECRETS.ingestToken, 'Alert pipeline ingest token: the {token} of /ingest/*/{token} and the routing_key of /ingest/events/v2');
    this.apiToken = token('ApiToken', SHARED_SECRETS.apiToken, 'Alert pipeline API token: "Authorization: Bearer <token>" on /api/*');
    this.actionLinkKey = token('ActionLinkKey', SHARED_SECRETS.actionLinkKey, 'Alert pipeline: HMAC key of one-click action links and calendar feed URLs ({"token": "...", "previousToken"?: "..."})',
      'Rotated by hand, not by a schedule: links are signed with "token" and verified against "token" and "previousToken", so moving the key to ' +
      '"previousToken" keeps every sent action link valid until it expires (24 h); but calendar feed URLs signed with it never expire and ' +
      'people subscribed to them, so an unattended rotation would silently break their calendars (docs/deploy.md, "Rotating the action-link key").');

    const domain = props.pipelineConfig.deployment.domain;
    this.apiDomain = domain ? new ApiDomain(this, 'ApiDomain', domain) : null;

    // One token per ingest integration, as retained as the single ingest token (lib/constructs/integration-tokens.ts).
    this.integrationTokens = new IntegrationTokens(this, 'IntegrationTokens', { integrations: props.pipelineConfig.integrations });
  }
}
