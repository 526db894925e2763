/**
 * IntegrationTokens: one Secrets Manager secret per ingest integration of the config (`integrations:`), holding
 * `{"current": "<32 letters and digits>"}` (after a rotation also `previous` and `previousValidUntil`). Created in the
 * stateful stack and retained, like the single ingest token: redeploying or deleting the pipeline stack never
 * changes a sender's URL. Named `alert-pipeline/<stage>/integrations/<name>` (StageNames), so the pipeline stack names
 * and grants them without a cross-stack reference. Revoked integrations keep their secret (un-revoking restores the
 * same URL) but no function may read it.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ownTokenIntegrations, type IntegrationConfig } from '../../lambdas/core/integrations/config';
import { StageNames } from '../config/stage';
import { TOKEN_LENGTH } from './defaults';

/** The Secrets Manager name of an integration's token secret: `alert-pipeline/<stage>/integrations/<name>`. */
export function integrationSecretName(names: StageNames, integration: string): string {
  return names.secretName(`integrations/${integration}`);
}

/** The live (not revoked) integrations that have a secret of their own: integration name -> secret name. */
export function liveIntegrationSecretNames(integrations: readonly IntegrationConfig[], names: StageNames): Record<string, string> {
  return Object.fromEntries(ownTokenIntegrations(integrations).filter((i) => !i.revoked).map((i) => [i.name, integrationSecretName(names, i.name)]));
}

/** The calls of Secrets Manager's rotation protocol the rotation function makes (SecretsManagerVersions). */
export const ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage',
];

/** Secrets Manager (of this account only) may invoke the rotation function. */
export function allowSecretsManagerRotation(rotation: lambda.IFunction): void {
  rotation.addPermission('SecretsManagerRotation', {
    principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
    sourceAccount: Stack.of(rotation).account,
  });
}

export interface IntegrationTokensProps {
  readonly integrations: readonly IntegrationConfig[];
}

export class IntegrationTokens extends Construct {
  /** The token secret of each integration with its own token, by integration name (revoked ones included). */
  public readonly secrets: Readonly<Record<string, secretsmanager.Secret>>;

  constructor(scope: Construct, id: string, props: IntegrationTokensProps) {
    super(scope, id);
    const names = StageNames.of(this);
    const secrets: Record<string, secretsmanager.Secret> = {};
    for (const integration of ownTokenIntegrations(props.integrations)) {
      const secret = new secretsmanager.Secret(this, `Token-${integration.name}`, {
        secretName: integrationSecretName(names, integration.name),
        description: `Alert pipeline: token of the ${integration.source} integration "${integration.name}" ({"current", "previous", "previousValidUntil"})`,
        generateSecretString: {
          secretStringTemplate: '{}',
          generateStringKey: 'current',
          passwordLength: TOKEN_LENGTH,
          excludePunctuation: true,
          includeSpace: false,
        },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The token is configured in an external sender (a vendor webhook URL, an Alertmanager, a routing key) that cannot fetch a new value, ' +
          'so rotation on a schedule would break it: it is rotated on demand (aws secretsmanager rotate-secret with the stack\'s rotation function), ' +
          'the previous token accepted for the integration\'s grace period (docs/deploy.md, "Integrations and token rotation").',
      });
      secrets[integration.name] = secret;
    }
    this.secrets = secrets;
  }
}
