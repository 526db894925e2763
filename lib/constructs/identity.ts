/**
 * Identity: who may call the human API in AWS (docs/deploy.md §Identity). One job: an API Gateway JWT authorizer
 * for the `bearer` routes, over either a Cognito user pool this construct creates (`access.provider: cognito`: no
 * self sign-up, MFA, groups viewer/responder/admin, a hosted sign-in domain, a public app client for the web console
 * with authorization code + PKCE, and one client-credentials app client per machine client, its secret kept in
 * Secrets Manager) or an external OIDC issuer (`oidc`: Okta, Entra ID, Google, ...: issuer URL and audiences).
 * API Gateway verifies the token; the API's handler maps its claims to a role (core/access/identity.ts).
 */
import { CfnOutput, Duration, Lazy, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROLES, type Role } from '../../lambdas/core/access/roles';
import type { AccessConfig } from '../../lambdas/core/config/access.schema';
import { RESOURCE_SERVER, ROLE_SCOPES } from '../../lambdas/core/config/access.schema';
import { InvariantError } from '../../lambdas/core/errors';
import { StageNames } from '../config/stage';

export interface IdentityProps {
  /** The `access` section of the pipeline config. */
  readonly access: AccessConfig;
  /**
   * Extra sign-in callback URLs of the console's app client (Cognito), e.g. the URL of the console the stack hosts;
   * more can be added with `addCallbackUrl`.
   * @default - the config's `access.cognito.callbackUrls` only
   */
  readonly callbackUrls?: readonly string[];
}

/** The sign-in settings the web console needs (its `/config.json`). */
export interface ConsoleAuth {
  /** The OIDC issuer URL (the console's `authority`). */
  readonly authority: string;
  readonly clientId: string;
  /** Space-separated scopes the console asks for. */
  readonly scope: string;
  /** Other origins the browser calls during sign-in (Cognito: the hosted domain's authorize and token endpoints). */
  readonly origins?: readonly string[];
}

/** Construct id of aws-cdk-lib's AwsCustomResource provider function (a per-stack singleton). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Scopes of the resource server a machine client of `role` gets: its own and those below it. */
function scopesUpTo(role: Role): string[] {
  return ROLES.slice(0, ROLES.indexOf(role) + 1).map((r) => ROLE_SCOPES[r]);
}

export class Identity extends Construct {
  /** The authorizer of the `bearer` routes (WebhookApi's `bearerAuthorizer`). */
  public readonly authorizer: HttpJwtAuthorizer;
  /** What the console signs in with. */
  public readonly console: ConsoleAuth;
  /** The user pool (Cognito mode), null with an external issuer. */
  public readonly userPool: cognito.UserPool | null;
  /** The machine clients' secrets by name (Cognito mode). */
  public readonly machineSecrets: Readonly<Record<string, secretsmanager.Secret>>;
  private readonly extraCallbackUrls: string[];

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.extraCallbackUrls = [...(props.callbackUrls ?? [])];
    const { access } = props;
    if (access.provider === 'oidc') {
      const oidc = access.oidc ?? (() => { throw new InvariantError('access.provider oidc without an oidc section'); })();
      this.userPool = null;
      this.machineSecrets = {};
      this.console = { authority: oidc.issuer, clientId: oidc.consoleClientId ?? oidc.audiences[0]!, scope: oidc.scopes.join(' ') };
      this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', oidc.issuer, { jwtAudience: [...oidc.audiences], identitySource: ['$request.header.Authorization'] });
      new CfnOutput(this, 'Issuer', { value: oidc.issuer, description: 'OIDC issuer whose tokens the API accepts (JWT authorizer)' });
      return;
    }
    const built = this.buildCognito(access);
    this.userPool = built.pool;
    this.machineSecrets = built.secrets;
    const issuer = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${built.pool.userPoolId}`;
    this.console = { authority: issuer, clientId: built.consoleClient.userPoolClientId, scope: 'openid email profile', origins: [built.domain.baseUrl()] };
    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', issuer, {
      // Cognito access tokens carry the app client in `client_id` (no `aud`); API Gateway checks either.
      jwtAudience: [built.consoleClient.userPoolClientId, ...built.machineClients.map((c) => c.userPoolClientId)],
      identitySource: ['$request.header.Authorization'],
    });
    new CfnOutput(this, 'UserPoolId', { value: built.pool.userPoolId, description: 'Cognito user pool of the pipeline\'s people (groups viewer, responder, admin)' });
    new CfnOutput(this, 'Issuer', { value: issuer, description: 'OIDC issuer of the user pool (the console\'s authority)' });
    new CfnOutput(this, 'ConsoleClientId', { value: built.consoleClient.userPoolClientId, description: 'App client of the web console (authorization code + PKCE, no secret)' });
    new CfnOutput(this, 'SignInDomain', { value: built.domain.baseUrl(), description: 'Hosted sign-in domain; token endpoint <domain>/oauth2/token' });
  }

  /** Adds a sign-in callback URL of the console's app client (Cognito mode), e.g. the console's CloudFront URL. */
  public addCallbackUrl(url: string): void {
    this.extraCallbackUrls.push(url);
  }

  private buildCognito(access: AccessConfig) {
    const c = access.cognito ?? (() => { throw new InvariantError('access.provider cognito without a cognito section'); })();
    const pool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      mfa: c.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: c.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(c.threatProtection ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: true,
      // People and their MFA devices survive a redeploy or deletion of this stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (c.mfa !== 'required') {
      Validations.of(pool).acknowledge({ id: 'AwsSolutions-COG2', reason: 'MFA is optional by the pipeline config (access.cognito.mfa: optional): each user may turn TOTP on; the sample config requires it.' });
    }
    if (!c.threatProtection) {
      Validations.of(pool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: 'Threat protection needs the Plus feature plan, billed per monthly active user; off by the pipeline config (access.cognito.threatProtection). Self sign-up is off, MFA is on, passwords are 12+ characters.',
      });
    }
    for (const role of ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, { userPoolId: pool.userPoolId, groupName: role, description: `Alert pipeline role ${role}` });
    }
    // Domain prefixes are unique per Region: the stage makes one per stage (`-c stage=prod`).
    const domain = pool.addDomain('Domain', { cognitoDomain: { domainPrefix: `${c.domainPrefix}-${StageNames.of(this).stage}` } });
    const consoleClient = pool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: Lazy.list({ produce: () => this.callbackUrls(c.callbackUrls) }) as unknown as string[],
        ...(c.logoutUrls.length > 0 ? { logoutUrls: [...c.logoutUrls] } : {}),
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    const { machineClients, secrets } = this.buildMachineClients(pool, domain, access);
    return { pool, domain, consoleClient, machineClients, secrets };
  }

  /**
   * `userPoolClientSecret` reads the client secret at deploy time through an AwsCustomResource: one provider function
   * per stack, created by aws-cdk-lib, whose role has the AWS managed basic execution policy (its logs).
   */
  private acknowledgeSecretReader(): void {
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (!provider) return;
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The deploy-time provider of aws-cdk-lib\'s AwsCustomResource (it reads the Cognito machine clients\' secrets once, to store them in Secrets Manager): the managed policy only lets it write its own logs.',
    });
  }

  private callbackUrls(configured: readonly string[]): string[] {
    const urls = [...new Set([...configured, ...this.extraCallbackUrls])];
    // Cognito needs at least one; the local console's address until a console URL is configured.
    return urls.length > 0 ? urls : ['http://localhost:3000/'];
  }

  /** A resource server with the role scopes, and per machine client an app client (client credentials) and its secret. */
  private buildMachineClients(pool: cognito.UserPool, domain: cognito.UserPoolDomain, access: AccessConfig) {
    const secrets: Record<string, secretsmanager.Secret> = {};
    if (access.machineClients.length === 0) return { machineClients: [] as cognito.UserPoolClient[], secrets };
    const scopes = Object.fromEntries(ROLES.map((r) => [r, new cognito.ResourceServerScope({ scopeName: ROLE_SCOPES[r], scopeDescription: `Alert pipeline role ${r}` })])) as Record<Role, cognito.ResourceServerScope>;
    const server = pool.addResourceServer('ApiResourceServer', { identifier: RESOURCE_SERVER, scopes: Object.values(scopes) });
    const machineClients = access.machineClients.map((m) => {
      const granted = ROLES.slice(0, ROLES.indexOf(m.role) + 1);
      const client = pool.addClient(`MachineClient-${m.name}`, {
        userPoolClientName: `machine-${m.name}`,
        generateSecret: true,
        authFlows: {},
        oAuth: { flows: { clientCredentials: true }, scopes: granted.map((r) => cognito.OAuthScope.resourceServer(server, scopes[r])) },
        accessTokenValidity: Duration.hours(1),
      });
      const secret = new secretsmanager.Secret(this, `MachineSecret-${m.name}`, {
        description: `Alert pipeline machine client "${m.name}" (role ${m.role}): client id and secret for the client-credentials grant`,
        secretObjectValue: {
          clientId: SecretValue.unsafePlainText(client.userPoolClientId),
          clientSecret: client.userPoolClientSecret,
          tokenUrl: SecretValue.unsafePlainText(`${domain.baseUrl()}/oauth2/token`),
          scope: SecretValue.unsafePlainText(scopesUpTo(m.role).map((s) => `${RESOURCE_SERVER}/${s}`).join(' ')),
        },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The value is the Cognito app client\'s secret, which Cognito cannot change in place: rotate by replacing the machine client (rename it in the config and redeploy), docs/deploy.md §Identity.',
      });
      secrets[m.name] = secret;
      this.acknowledgeSecretReader();
      new CfnOutput(this, `MachineSecret${m.name.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: secret.secretName,
        description: `Secret of machine client ${m.name}: {clientId, clientSecret, tokenUrl, scope} for the client-credentials grant`,
      });
      return client;
    });
    return { machineClients, secrets };
  }
}
