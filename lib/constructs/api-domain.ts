/**
 * ApiDomain: the optional custom domain of the HTTP API (config `deployment.domain`), so the URL that senders and
 * notification links carry survives a redeploy, or a delete and re-create, of the pipeline stack. The domain name
 * (and its alias record, when a hosted zone is given) live in the data stack and are retained; the pipeline stack
 * maps its API to the domain by name (`mapApiToDomain`), which needs no export.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';

export type ApiDomainConfig = NonNullable<PipelineConfig['deployment']['domain']>;

export class ApiDomain extends Construct {
  public readonly domainName: apigw.DomainName;
  /** The alias record (null without a hosted zone: point a CNAME at `domainName.regionalDomainName`). */
  public readonly record: route53.ARecord | null;

  constructor(scope: Construct, id: string, domain: ApiDomainConfig) {
    super(scope, id);
    this.domainName = new apigw.DomainName(this, 'DomainName', {
      domainName: domain.name,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    this.domainName.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.record = null;
    if (domain.hostedZoneId && domain.hostedZoneName) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.hostedZoneName });
      this.record = new route53.ARecord(this, 'AliasRecord', {
        zone,
        recordName: domain.name,
        target: route53.RecordTarget.fromAlias(
          new targets.ApiGatewayv2DomainProperties(this.domainName.regionalDomainName, this.domainName.regionalHostedZoneId),
        ),
      });
      this.record.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }
}

/** Maps `api`'s `$default` stage to the custom domain of the data stack, by its name (in the pipeline stack). */
export function mapApiToDomain(scope: Construct, api: apigw.IHttpApi, stage: apigw.IStage, domain: ApiDomainConfig): apigw.ApiMapping {
  const domainName = apigw.DomainName.fromDomainNameAttributes(scope, 'ApiDomainName', {
    name: domain.name,
    // Not used by a mapping (it needs the name only); the data stack owns the real values.
    regionalDomainName: domain.name,
    regionalHostedZoneId: domain.hostedZoneId ?? 'unused',
  });
  return new apigw.ApiMapping(scope, 'ApiMapping', { api, domainName, stage });
}

/** The base URL of the API on its custom domain, without a trailing slash. */
export function customDomainUrl(domain: ApiDomainConfig): string {
  return `https://${domain.name}`;
}
