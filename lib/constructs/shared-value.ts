/**
 * References between the two stacks without CloudFormation exports. A strong export (`Fn::ImportValue`) cannot
 * change or disappear while another stack imports it, so a replaced table or a removed secret would block both
 * stacks' updates. Instead the data stack publishes a value as an SSM parameter (`publishValue`) and the pipeline
 * stack reads it at deploy time (`readValue`, a `AWS::SSM::Parameter::Value<String>` stack parameter); secrets are
 * referenced by their stable names (`secretArnPattern`). Names come from StageNames, so stages never collide.
 */
import { Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { StageNames } from '../config/stage';

/** The values the data stack publishes for the pipeline stack (SSM parameter `/alert-pipeline/<stage>/<name>`). */
export const SHARED_VALUES = {
  incidentTableName: 'incident-table-name',
  archiveBucketName: 'raw-archive-bucket-name',
} as const;

/** The data stack's secrets (name `alert-pipeline/<stage>/<name>`, retained on delete). */
export const SHARED_SECRETS = {
  ingestToken: 'ingest-token',
  apiToken: 'api-token',
  actionLinkKey: 'action-link-key',
} as const;

/** Publishes `value` as the SSM parameter of `name` (in the data stack). */
export function publishValue(scope: Construct, id: string, name: string, value: string, description: string): ssm.StringParameter {
  return new ssm.StringParameter(scope, id, { parameterName: StageNames.of(scope).parameterName(name), stringValue: value, description });
}

/** The value of the SSM parameter of `name`, resolved when `scope`'s stack is deployed. */
export function readValue(scope: Construct, name: string): string {
  return ssm.StringParameter.valueForStringParameter(scope, StageNames.of(scope).parameterName(name));
}

/**
 * The ARN of a secret by its full name, as IAM needs it: Secrets Manager appends `-` and six random characters to
 * the name, so `-??????` matches exactly that secret (and not `<name>-old`, which is longer).
 */
export function secretArnPattern(scope: Construct, secretName: string): string {
  const { partition, region, account } = Stack.of(scope);
  return `arn:${partition}:secretsmanager:${region}:${account}:secret:${secretName}-??????`;
}
