/**
 * The log bucket of a static site behind CloudFront (the status page, the web console): the site bucket's server
 * access logs and the distribution's standard logs, kept 90 days, retained with the stack.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

const LOG_EXPIRATION = Duration.days(90);

/** `LogBucket` under `scope`; `site` names the site in the S1 acknowledgement (e.g. `status-site`). */
export function siteLogBucket(scope: Construct, site: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'LogBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    // Server access log delivery supports SSE-S3 only; CloudFront standard logs need ACLs (object writer).
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
    lifecycleRules: [{ id: 'expire-logs', expiration: LOG_EXPIRATION }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket receives the ${site} bucket's server access logs and the distribution's logs; logging it to itself would log its own log deliveries in a loop.`,
  });
  return bucket;
}
