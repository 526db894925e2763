/**
 * What every handler wears (middy middlewares): the Lambda context (function name, request id, cold start) in every
 * log line of the invocation, and the invocation's metrics written once at its end, also when it throws.
 */
import type { MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MetricsSink } from '../../core/ports';
import { EmfMetricsSink } from '../../adapters/metrics/emf-metrics';
import { once } from './aws';
import { logger } from './logger';

/** The metrics sink of a function in AWS (EMF lines on stdout). */
export const awsMetrics = /* @__PURE__ */ once((): MetricsSink => new EmfMetricsSink());

function flushMetrics(metrics: MetricsSink | undefined): MiddlewareObj {
  const flush = () => {
    try {
      metrics?.flush();
    } catch (err) {
      logger.warn('metrics flush failed', { error: String(err) });
    }
  };
  return { after: flush, onError: flush };
}

/** The middlewares of a handler: Lambda context in the logs; `metrics` flushed after the invocation. */
export function observability(metrics?: MetricsSink): MiddlewareObj[] {
  return [injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj, flushMetrics(metrics)];
}
