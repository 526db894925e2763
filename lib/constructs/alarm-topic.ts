/**
 * AlarmTopic: the SNS topic CloudWatch alarms publish to. One job: an encrypted topic that CloudWatch can
 * actually use. CloudWatch cannot publish to a topic encrypted with the AWS-managed key (alias/aws/sns), so the
 * topic gets a customer-managed key whose policy lets cloudwatch.amazonaws.com encrypt to it.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /**
   * Display name of the topic.
   * @default 'Alert pipeline alarms'
   */
  readonly displayName?: string;
  /**
   * The topic's name. A fixed name keeps its ARN, which alarm actions in other stacks and accounts hold, across a
   * re-create of the stack.
   * @default - a generated name
   */
  readonly topicName?: string;
  /**
   * Description of the topic's KMS key.
   * @default 'Encrypts the alert pipeline alarm topic (customer-managed so CloudWatch alarms can publish)'
   */
  readonly keyDescription?: string;
  /**
   * What happens to the KMS key when the stack is deleted. The key protects only messages in flight through the
   * topic (nothing at rest), so by default it is scheduled for deletion (30-day pending window) with the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

export class AlarmTopic extends Construct {
  public readonly key: kms.Key;
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: props.keyDescription ?? 'Encrypts the alert pipeline alarm topic (customer-managed so CloudWatch alarms can publish)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: props.keyRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Alert pipeline alarms',
      topicName: props.topicName,
      masterKey: this.key,
      signatureVersion: '2',
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
  }
}
