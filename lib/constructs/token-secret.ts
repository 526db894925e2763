/**
 * TokenSecret: a shared-secret token in Secrets Manager, stored as `{"token": "<32 letters and digits>"}`.
 * One job: generate the token and document why it is not rotated automatically.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TOKEN_LENGTH } from './defaults';

export interface TokenSecretProps {
  /** What the token is for, shown in the Secrets Manager console. */
  readonly description: string;
  /**
   * The secret's name (from StageNames.secretName), so the other stack and people can find it by name.
   * @default - a generated name
   */
  readonly secretName?: string;
  /**
   * What happens to the secret when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Why the secret has no automatic rotation (cdk-nag SMG4), when the default reason (senders hold the token) is not it.
   * @default - the reason of the tokens shared with external senders
   */
  readonly noRotationReason?: string;
}

export class TokenSecret extends Construct {
  public readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: TokenSecretProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: props.description,
      secretName: props.secretName,
      removalPolicy: props.removalPolicy,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'token',
        passwordLength: TOKEN_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: props.noRotationReason ??
        'The token is shared with external senders (Threat Stack webhook URL, Alertmanager, SNS subscriptions, API clients) that cannot fetch ' +
        'a rotated value, so a rotation Lambda would break them. Rotate by hand without downtime: put the old value in "previousToken" and a new ' +
        '"token", update the senders, then drop "previousToken" (docs/deploy.md, "Rotating the tokens").',
    });
  }
}
