/**
 * The web console's hosting in AWS (docs/console.md §Hosting in AWS): the Vite build of web/ in a private S3 bucket
 * (public access blocked, encrypted, TLS enforced, access logs) behind a CloudFront distribution that reads it
 * through origin access control, with `/api/*` sent to the pipeline's HTTP API on the same origin (no CORS), and
 * a `config.json` written at deploy that tells the console how to log in: OIDC authorization code + PKCE against
 * the given issuer (Cognito or an external one), or `{"kind":"token"}` without one.
 *
 * `cdk synth` builds the console itself (local bundling runs `vite build`; no Docker), so a fresh clone needs no
 * separate build step.
 */
import { Duration, RemovalPolicy, Stack, Validations, DockerImage } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { siteLogBucket } from './site-log-bucket';
import { buildConsole, WEB_DIR } from '../console/build-console';

/** How the console logs in, from the identity construct (authority = the issuer URL). */
export interface ConsoleOidcSettings {
  authority: string;
  clientId: string;
  /** Space-separated scopes; default `openid profile email`. */
  scope?: string;
  /** Other origins the sign-in calls (Cognito's hosted domain: authorize and token endpoints). */
  origins?: readonly string[];
}

export interface ConsoleSiteProps {
  /** The pipeline's HTTP API: CloudFront sends `/api/*` to it. */
  api: apigw.IHttpApi;
  /** OIDC login; without it the console asks for a token (the API token from Secrets Manager). */
  oidc?: ConsoleOidcSettings;
  /** The console's built files; default: web/ built by vite at synth. Tests pass a folder to skip the build. */
  assetPath?: string;
}


/**
 * The console's Content-Security-Policy: its own scripts only; API calls to itself, to the OIDC issuer and to the
 * sign-in's other origins (Cognito's hosted domain, whose token endpoint the code + PKCE exchange calls).
 */
export function consoleContentSecurityPolicy(oidcAuthority?: string, origins: readonly string[] = []): string {
  const others = [...(oidcAuthority ? [oidcAuthority] : []), ...origins];
  const connect = ["'self'", ...others].join(' ');
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
    `connect-src ${connect}`, "frame-ancestors 'none'", "base-uri 'self'", `form-action ${["'self'", ...others].join(' ')}`, "object-src 'none'",
  ].join('; ');
}

/** The console's /config.json: OIDC code + PKCE settings, or token login. */
export function consoleConfig(oidc?: ConsoleOidcSettings): { auth: Record<string, string> } {
  return {
    auth: oidc
      ? { kind: 'oidc', authority: oidc.authority, clientId: oidc.clientId, scope: oidc.scope ?? 'openid profile email' }
      : { kind: 'token' },
  };
}

export class ConsoleSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly deployment: s3deploy.BucketDeployment;
  /** What /config.json says (written at deploy). */
  public readonly config: { auth: Record<string, string> };

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.logBucket = siteLogBucket(this, 'console');

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'console-site/',
      // Only the build's files: every deploy writes them again.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    const region = Stack.of(this).region;
    const apiOrigin = new origins.HttpOrigin(`${props.api.apiId}.execute-api.${region}.amazonaws.com`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    // CloudFront forwards Authorization to the origin only when the cache policy names it; with TTLs of at most a
    // second nothing is cached in practice, and the key includes the token, so no answer is shared between callers.
    const apiCachePolicy = new cloudfront.CachePolicy(this, 'ApiCachePolicy', {
      comment: 'Alert console /api/*: no caching; forwards the bearer token',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Alert console: CSP (own scripts only), HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(props.oidc?.authority, props.oidc?.origins), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Alert pipeline web console (static files) with /api/* to the HTTP API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Each object's Cache-Control decides: a year for the hashed assets, revalidation for index.html and config.json.
        cachePolicy: cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: apiCachePolicy,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          compress: true,
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'On-call engineers sign in from wherever they are; access is controlled by login, not by geography.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'Static files plus /api/*, which API Gateway throttles and the bearer authorizer guards; a WAF is an option for the operator, not a default that costs money on every deployment.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The distribution uses the default *.cloudfront.net certificate, with which CloudFront allows TLSv1 to viewers whatever the security policy says; a custom domain with an ACM certificate (docs/deploy.md) gets TLSv1.2_2021.',
    });

    this.config = consoleConfig(props.oidc);
    const auth = this.config.auth;
    // The deployment's function (CDK's own) gets a role of ours: no managed policy, logs only to its own group.
    const deployLogs = new LogGroup(this, 'DeployLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const deployRole = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Alert console: copies the console build and config.json into the console bucket at deploy',
    });
    deployLogs.grantWrite(deployRole);
    const build = props.assetPath
      ? s3deploy.Source.asset(props.assetPath)
      : s3deploy.Source.asset(WEB_DIR, {
        exclude: ['dist', 'dist.*'],
        bundling: {
          // Never used: the local bundling below always builds (vite needs no Docker).
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
          local: {
            tryBundle(outputDir: string) {
              buildConsole(outputDir);
              return true;
            },
          },
        },
      });
    const common = { destinationBucket: this.bucket, role: deployRole, logGroup: deployLogs, memoryLimit: 256 };
    // The hashed files under assets/ never change under their name: cached for a year. Older builds' files are
    // pruned; index.html and config.json are left to the second deployment.
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      ...common,
      sources: [build],
      exclude: ['index.html', 'config.json'],
      prune: true,
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    // index.html and config.json change in place with every deploy: revalidated on every load (no invalidation
    // needed, so the role gets no cloudfront:CreateInvalidation on every distribution).
    const entry = new s3deploy.BucketDeployment(this, 'DeployEntry', {
      ...common,
      sources: [build, s3deploy.Source.jsonData('config.json', { auth })],
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [s3deploy.CacheControl.noCache()],
    });
    entry.node.addDependency(this.deployment);
    Validations.of(deployRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason: 'Added by BucketDeployment: reads the console build from the CDK assets bucket (that bucket only).',
      },
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: 'Added by BucketDeployment: reads the CDK assets bucket and the console bucket (those two only).' },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: 'Added by BucketDeployment: lists the CDK assets bucket and the console bucket to prune old files (those two only).' },
      { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: 'Added by BucketDeployment: aborts its own uploads to the console bucket.' },
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: 'Added by BucketDeployment: prunes files of older builds from the console bucket.' },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]', reason: 'The CDK bootstrap assets bucket, where the console build is uploaded by cdk deploy.' },
      { id: 'AwsSolutions-IAM5[Resource::<ConsoleSiteBucket380F1C30.Arn>/*]', reason: 'Every object of the console bucket, which holds only the console build and config.json.' },
    );
    // CDK's deployment function is a singleton at the stack's root, on the runtime CDK ships it for.
    for (const child of Stack.of(this).node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge({ id: 'AwsSolutions-L1', reason: 'CDK\'s BucketDeployment function (Python) runs on the runtime the CDK version ships it for; it runs only at deploy.' });
      }
    }
  }

  /** The console's URL (no trailing slash). */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
