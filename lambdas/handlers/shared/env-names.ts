/**
 * Names of the environment variables the Lambda handlers read (parsed once in env.ts). The CDK app sets them;
 * the local runtime does not use them (it wires adapters directly).
 */
export const ENV = {
  /** DynamoDB incident table name. */
  tableName: 'TABLE_NAME',
  /** SQS alert queue URL (ingest sends here). */
  queueUrl: 'QUEUE_URL',
  /** SQS dead-letter queue URL (processor sends poison messages here directly). */
  deadLetterQueueUrl: 'DLQ_URL',
  /** S3 bucket of the raw archive. */
  archiveBucket: 'ARCHIVE_BUCKET',
  /** Secrets Manager secret id holding `{"token": "...", "previousToken"?: "..."}` for ingest paths. */
  ingestTokenSecretId: 'INGEST_TOKEN_SECRET_ID',
  /**
   * JSON map integration name -> Secrets Manager secret name of its token (`{"current", "previous"?,
   * "previousValidUntil"?}`), for every live integration of the config but `default` (which reads INGEST_TOKEN_SECRET_ID).
   */
  integrationTokenSecrets: 'INTEGRATION_TOKEN_SECRETS',
  /** Secrets Manager secret id holding `{"token": "..."}` for the human API bearer token. */
  apiTokenSecretId: 'API_TOKEN_SECRET_ID',
  /** Comma-separated SNS topic ARNs allowed on the HTTPS CloudWatch endpoint. */
  snsAllowedTopicArns: 'SNS_ALLOWED_TOPIC_ARNS',
  /**
   * The validated pipeline config as JSON. The CDK app inlines it into each bundle at build time (esbuild
   * `define`), so a deployed function always runs the config it was deployed with.
   */
  pipelineConfigJson: 'PIPELINE_CONFIG_JSON',
  /** ARN of the escalation state machine (processor, API, sweeper start and stop executions). */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** Name of the escalation-step function (invoked asynchronously for plans that need no execution). */
  escalationFunctionName: 'ESCALATION_FUNCTION_NAME',
  /** Secrets Manager secret id holding `{"token": "..."}`: the HMAC key of one-click action links and feed URLs. */
  actionLinkSecretId: 'ACTION_LINK_SECRET_ID',
  /** Public base URL of the API (for links in notifications), e.g. https://abc.execute-api.eu-west-1.amazonaws.com */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  /** JSON map person -> SNS topic ARN of their email subscription (created by the CDK app from config). */
  emailTopicArns: 'EMAIL_TOPIC_ARNS',
  /** Prefix of Secrets Manager secret names of notification channels (`<prefix><channel secret>`). */
  channelSecretPrefix: 'CHANNEL_SECRET_PREFIX',
  /** S3 bucket the status-page renderer writes the public status files to (served by CloudFront). */
  statusSiteBucket: 'STATUS_SITE_BUCKET',
  /** Public base URL of the status page (the CloudFront distribution), e.g. https://d111111abcdef8.cloudfront.net */
  statusPageUrl: 'STATUS_PAGE_URL',
  /** Name of the status-render function, invoked asynchronously when a status may have changed ('' = no status page). */
  statusRenderFunctionName: 'STATUS_RENDER_FUNCTION_NAME',
} as const;

/**
 * Build-time switches: the CDK app replaces each expression `process.env.<name>` in a bundle with a string literal
 * derived from the config (esbuild `define`, lib/constructs/defaults.ts), so esbuild drops the code and the SDK clients
 * a config never uses. Not set outside a bundle (the local runtime, tests), where the config decides at run time.
 */
export const BUILD_SWITCHES = {
  /** `"true"`/`"false"`: `insights.history.enabled` (without it, no S3 client in the processor, links and sweeper). */
  historyEnabled: 'PIPELINE_HISTORY_ENABLED',
} as const;
