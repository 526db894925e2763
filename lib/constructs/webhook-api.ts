/**
 * WebhookApi: the public HTTP contract (README.md §HTTP contract) on an API Gateway HTTP API. One job: one route per entry of
 * the route table, an authorizer on the human API (JWT, or a Lambda authorizer over the API token), a throttled stage with access logs that never contain
 * the request path (the ingest token is in it).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeKeyOf, type HttpFunctionName, type HttpRoute, type RouteAuth } from '../../lambdas/handlers/routes';
import { ACCESS_LOG_FORMAT, API_DEFAULTS } from './defaults';
import type { PipelineFunction } from './pipeline-function';
import { InvariantError } from '../../lambdas/core/errors';

export interface WebhookApiProps {
  /** The route table (HTTP_ROUTES): method, path, handling function and how the caller authenticates. */
  readonly routes: readonly HttpRoute[];
  /** The function behind each `fn` name of the route table. */
  readonly handlers: Readonly<Record<HttpFunctionName, PipelineFunction>>;
  /**
   * The authorizer of the `bearer` routes: a JWT authorizer (lib/constructs/identity.ts) when the config has an
   * `access` section.
   * @default - a Lambda authorizer over `authorizerFunction` (the API token)
   */
  readonly bearerAuthorizer?: apigw.IHttpRouteAuthorizer;
  /** Lambda authorizer function of the `bearer` routes (simple responses: `{ isAuthorized }`), without `bearerAuthorizer`. */
  readonly authorizerFunction?: PipelineFunction;
  /**
   * Stage throttling.
   * @default { rateLimit: 1000, burstLimit: 2000 }
   */
  readonly throttle?: apigw.ThrottleSettings;
  /**
   * How long the authorizer's answer is cached per Authorization header.
   * @default Duration.seconds(300)
   */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Retention of the access logs.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
}

/** Why a route without an API Gateway authorizer is still authenticated (cdk-nag AwsSolutions-APIG4). */
const UNAUTHORIZED_ROUTE_REASONS: Record<Exclude<RouteAuth, 'bearer'>, string> = {
  'path-token':
    'Webhook senders (Threat Stack, Alertmanager) cannot send custom auth headers: the secret ingest token in the path is the credential, ' +
    'checked in constant time by the ingest handler against Secrets Manager (unknown token -> 404).',
  'sns-signature':
    'SNS HTTPS subscriptions cannot send auth headers: the ingest token in the path plus the SNS message signature (v2) and the topic ' +
    'allow-list are the credentials, verified by the ingest handler.',
  'routing-key':
    'PagerDuty Events API v2 clients authenticate with the routing_key in the body: it is an ingest token, checked in constant time by the ' +
    'ingest handler.',
  'signed-link':
    'One-click action links in notifications and calendar feed URLs are opened by people and calendar apps that cannot send auth headers: ' +
    'the HMAC-SHA256-signed, expiring (action links: single-use) token in the path is the credential, verified in constant time by the handler.',
};

export class WebhookApi extends Construct {
  public readonly api: apigw.HttpApi;
  public readonly stage: apigw.HttpStage;
  public readonly accessLogGroup: LogGroup;
  /** Routes by route key (`POST /ingest/threatstack/{token}`). */
  public readonly routes: ReadonlyMap<string, apigw.HttpRoute>;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);

    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Alert pipeline: ingestion webhooks and the incident API',
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? API_DEFAULTS.accessLogRetention,
    });

    // Not 'Default': CDK drops that id from logical ids, so the stage would collide with the API (docs/toolchain.md §API Gateway stage id).
    this.stage = this.api.addStage('LiveStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? API_DEFAULTS.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const authorizerFunction = props.authorizerFunction;
    if (!props.bearerAuthorizer && !authorizerFunction) throw new InvariantError(`${this.node.path}: the bearer routes need an authorizer`);
    const authorizer = props.bearerAuthorizer ?? new HttpLambdaAuthorizer('BearerAuthorizer', authorizerFunction!.function, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: props.authorizerCacheTtl ?? API_DEFAULTS.authorizerCacheTtl,
    });

    const integrations = new Map<HttpFunctionName, HttpLambdaIntegration>();
    const integrationOf = (fn: HttpFunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(fn);
      if (!integration) {
        const handler = props.handlers[fn];
        if (!handler) throw new InvariantError(`${this.node.path}: no handler function for "${fn}"`);
        integration = new HttpLambdaIntegration(`${fn}Integration`, handler.function);
        integrations.set(fn, integration);
      }
      return integration;
    };

    const routes = new Map<string, apigw.HttpRoute>();
    for (const route of props.routes) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationOf(route.fn),
        authorizer: route.auth === 'bearer' ? authorizer : undefined,
      });
      if (!created) throw new InvariantError(`${this.node.path}: no route created for ${routeKeyOf(route)}`);
      if (route.auth !== 'bearer') {
        Validations.of(created).acknowledge({ id: 'AwsSolutions-APIG4', reason: UNAUTHORIZED_ROUTE_REASONS[route.auth] });
      }
      routes.set(routeKeyOf(route), created);
    }
    this.routes = routes;
  }

  /** The base URL of the API, ending in `/`. */
  public get url(): string {
    return this.stage.url;
  }
}
