/**
 * The status page's hosting in AWS, apart from the API (docs/status-page.md §Hosting in AWS): a dedicated S3 bucket
 * that only the status-render function writes, served by a CloudFront distribution through origin access control
 * (the bucket stays private: no website hosting, public access blocked, TLS enforced), HTTPS only, with the
 * managed security-headers policy and `status/index.html` as the default root object. A small log bucket keeps the
 * bucket's server access logs and the distribution's standard logs. When the API, the table or the functions are
 * down, CloudFront keeps serving the last rendered files.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { siteLogBucket } from './site-log-bucket';

/** The object CloudFront answers for `/` (the renderer's HTML page). */
export const STATUS_ROOT_OBJECT = 'status/index.html';
/** How long the logs of the status site are kept. */

export class StatusSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logBucket = siteLogBucket(this, 'status-site');

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'status-site/',
      // Every file is rewritten by each render: the bucket holds nothing that cannot be rendered again.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Alert pipeline status page (static files rendered by the status-render function)',
      defaultRootObject: STATUS_ROOT_OBJECT,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Caching follows each object's Cache-Control (the renderer sets it per file).
        cachePolicy: cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'A status page is for everyone who uses the service, wherever they are: no geo restriction.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'The distribution serves static, public, cacheable files from a private bucket (GET and HEAD only); there is no application behind it for a WAF to protect.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The distribution uses the default *.cloudfront.net certificate, with which CloudFront allows TLSv1 to viewers whatever the security policy says; a custom domain with an ACM certificate (docs/deploy.md) gets TLSv1.2_2021.',
    });
  }

  /** The page's public URL (no trailing slash). */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
