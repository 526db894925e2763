import { Match } from 'aws-cdk-lib/assertions';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';
import { buildApp, cleanUpOutdirs, logicalIdOf, type BuiltApp } from './helpers';

describe('AlertDataStack', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp();
  });
  afterAll(cleanUpOutdirs);

  describe('incident table', () => {
    it('has the keys, TTL attribute and KEYS_ONLY indexes of INCIDENT_TABLE', () => {
      built.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: INCIDENT_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: INCIDENT_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: INCIDENT_TABLE.timeToLiveAttribute, Enabled: true },
        GlobalSecondaryIndexes: INCIDENT_TABLE.indexes.map((ix) =>
          Match.objectLike({
            IndexName: ix.indexName,
            KeySchema: [
              { AttributeName: ix.partitionKey, KeyType: 'HASH' },
              { AttributeName: ix.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          }),
        ),
      });
    });

    it('defines every key attribute as a string', () => {
      const names = [INCIDENT_TABLE.partitionKey, INCIDENT_TABLE.sortKey, ...INCIDENT_TABLE.indexes.flatMap((ix) => [ix.partitionKey, ix.sortKey])];
      built.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        AttributeDefinitions: Match.arrayWith(names.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      });
    });

    it('is on-demand, point-in-time recoverable, deletion protected and encrypted with the AWS-managed key', () => {
      built.dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('is retained when the stack is deleted', () => {
      built.dataTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });
  });

  // A changed logical id makes CloudFormation create a new, empty resource (and orphan the retained one).
  // If this test fails, restore the construct id / path; never update these strings.
  it('keeps the logical ids of the stateful resources', () => {
    expect(logicalIdOf(built.dataStack.table.node.defaultChild)).toBe('IncidentTable8CE1664B');
    expect(logicalIdOf(built.dataStack.archiveBucket.node.defaultChild)).toBe('RawArchiveBucket5791F78D');
    expect(logicalIdOf(built.dataStack.accessLogsBucket.node.defaultChild)).toBe('AccessLogsBucket83982689');
    expect(logicalIdOf(built.dataStack.ingestToken.secret.node.defaultChild)).toBe('IngestTokenSecret6DFCE9D8');
    expect(logicalIdOf(built.dataStack.apiToken.secret.node.defaultChild)).toBe('ApiTokenSecretCF9C98B6');
    expect(logicalIdOf(built.dataStack.actionLinkKey.secret.node.defaultChild)).toBe('ActionLinkKeySecret7EE9764C');
  });

  describe('raw archive bucket', () => {
    const archive = () => logicalIdOf(built.dataStack.archiveBucket.node.defaultChild);
    const accessLogs = () => logicalIdOf(built.dataStack.accessLogsBucket.node.defaultChild);

    it('blocks public access, encrypts at rest and keeps versions', () => {
      const buckets = built.dataTemplate.findResources('AWS::S3::Bucket');
      expect(buckets[archive()]?.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('moves objects to Infrequent Access after 30 days and never expires them', () => {
      const rules = built.dataTemplate.findResources('AWS::S3::Bucket')[archive()]?.Properties.LifecycleConfiguration.Rules;
      expect(rules).toEqual([
        expect.objectContaining({
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
        }),
      ]);
      expect(rules[0]).not.toHaveProperty('ExpirationInDays');
    });

    it('writes server access logs to the separate log bucket', () => {
      const props = built.dataTemplate.findResources('AWS::S3::Bucket')[archive()]?.Properties;
      expect(props.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: accessLogs() }, LogFilePrefix: 'raw-archive/' });
    });

    it.each([
      ['archive', archive],
      ['access log', accessLogs],
    ])('the %s bucket denies requests without TLS', (_name, bucket) => {
      built.dataTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket() },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('retains both buckets when the stack is deleted', () => {
      const buckets = built.dataTemplate.findResources('AWS::S3::Bucket');
      expect(Object.keys(buckets)).toHaveLength(2);
      for (const bucket of Object.values(buckets)) expect(bucket.DeletionPolicy).toBe('Retain');
    });
  });
});
