/**
 * cdk-nag finding ids for IAM5 (wildcard) acknowledgements. cdk-nag names a wildcard resource by flattening its
 * CloudFormation expression (`<Logical.Arn>/index/*`, or the export name of a cross-stack import), and an
 * acknowledgement must repeat that id exactly. This computes it from the ARN token, so acknowledgements stay
 * correct when logical ids or export names change.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Same flattening as cdk-nag's (utils/flatten-cfn-reference) for the expressions CDK emits for ARNs. */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const obj = node as Record<string, unknown>;
  if (Array.isArray(obj['Fn::Join'])) {
    const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (obj['Fn::Sub'] !== undefined) return flatten(obj['Fn::Sub']);
  if (Array.isArray(obj['Fn::GetAtt'])) {
    const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (obj['Fn::ImportValue'] !== undefined) return flatten(obj['Fn::ImportValue']);
  if (obj.Ref !== undefined) return `<${flatten(obj.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * The `AwsSolutions-IAM5[Resource::...]` id of `<arn><suffix>` as seen from `consumer`'s stack. `owner` is the
 * construct that owns the ARN (a table, a bucket); when it lives in another stack, the id names the export.
 */
export function iam5ResourceFinding(consumer: IConstruct, owner: IConstruct, arn: string, suffix: string): string {
  const consumerStack = Stack.of(consumer);
  const ownerStack = Stack.of(owner);
  // exportValue returns the same Fn::ImportValue as CDK's automatic cross-stack reference (same export name).
  const reference = ownerStack === consumerStack ? arn : ownerStack.exportValue(arn);
  return `AwsSolutions-IAM5[Resource::${flatten(consumerStack.resolve(reference))}${suffix}]`;
}
