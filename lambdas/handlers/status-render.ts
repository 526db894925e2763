/**
 * Handler: the status-page renderer (config `statusPage`). Invoked every 5 minutes by an EventBridge schedule (the
 * uptime bars, maintenance windows that start or end) and asynchronously by the processor, the API, the action
 * links and the sweeper when a component's status may have changed (StatusNotifier). It derives the statuses,
 * records the changes, renders the public files with the same renderer as the local runtime
 * (core/status/site.ts `refreshStatusSite`) and writes them to the status-site bucket that CloudFront serves, so
 * the status page stays up when the API is down. The event's content is not read: every run renders the present.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { Clock, IncidentStore, OperationsStore, StatusSiteWriter, StatusStore } from '../core/ports';
import { refreshStatusSite } from '../core/status/site';
import { STATUS_FILES } from '../core/status/render';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { DynamoStatusStore } from '../adapters/dynamodb/status-store';
import { S3StatusSite } from '../adapters/s3/s3-status-site';
import { dynamodbClient, once, s3Client } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { observability } from './shared/observability';

export interface StatusRenderDeps {
  config: PipelineConfig;
  store: IncidentStore;
  status: StatusStore;
  ops: OperationsStore;
  writer: StatusSiteWriter;
  clock: Clock;
  /** The public URL of the page (the CloudFront distribution's), for links in the feed and the JSON. */
  pageUrl?: string;
}

export interface StatusRenderResult {
  rendered: boolean;
  files: string[];
}

export function createStatusRenderHandler(deps: StatusRenderDeps) {
  return middy<unknown, StatusRenderResult>(async () => {
    const input = await refreshStatusSite(
      { config: deps.config, store: deps.store, status: deps.status, ops: deps.ops, ...(deps.pageUrl ? { pageUrl: deps.pageUrl } : {}) },
      deps.writer,
      deps.clock.now(),
    );
    if (!input) return { rendered: false, files: [] };
    return { rendered: true, files: Object.values(STATUS_FILES) };
  }).use(observability());
}

const awsHandler = once(() => {
  const config = deployedConfig();
  const table = env.tableName();
  return createStatusRenderHandler({
    config,
    store: new DynamoIncidentStore(dynamodbClient(), table),
    status: new DynamoStatusStore(dynamodbClient(), table),
    ops: new DynamoOperationsStore(dynamodbClient(), table),
    writer: new S3StatusSite(s3Client(), env.statusSiteBucket()),
    clock: { now: () => new Date() },
    pageUrl: `${env.statusPageUrl()}/status/`,
  });
});

export const handler = (event: unknown, context: Context) => awsHandler()(event, context);
