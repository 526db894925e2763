/**
 * Grants for CloudWatch alarm enrichment and reconciliation (docs/sources.md §CloudWatch alarm enrichment,
 * docs/deploy.md): exactly the calls the code makes, on the alarms of this account and Region only.
 * - the processor: `cloudwatch:ListTagsForResource` (tags, by alarm ARN) and `cloudwatch:DescribeAlarms`
 *   (description, by alarm name);
 * - the sweeper: `cloudwatch:DescribeAlarms` (the states of the alarms of open incidents).
 * Both actions accept alarm ARNs as resources, so neither needs `*`; the alarm name is a wildcard because alarms
 * are created by their teams, not by this stack.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { PipelineFunction } from './pipeline-function';

const FINDING = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*]';

export type AlarmAccess = 'tags-and-describe' | 'describe';

export function grantAlarmRead(f: PipelineFunction, access: AlarmAccess): void {
  const { partition, region, account } = Stack.of(f);
  const actions = access === 'describe' ? ['cloudwatch:DescribeAlarms'] : ['cloudwatch:ListTagsForResource', 'cloudwatch:DescribeAlarms'];
  f.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:*`] }));
  Validations.of(f.role).acknowledge({
    id: FINDING,
    reason:
      `${actions.join(' and ')} on the CloudWatch alarms of this account and Region: the alarms whose messages arrive are named by the ` +
      'teams that create them, not by this stack, so the alarm name is a wildcard; no other CloudWatch resource type and no other action.',
  });
}
