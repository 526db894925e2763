/**
 * Structured JSON logging for every handler (Powertools Logger: JSON lines with Lambda context). The level: in AWS
 * Lambda's application log level (advanced logging controls set AWS_LAMBDA_LOG_LEVEL, which Powertools takes over
 * POWERTOOLS_LOG_LEVEL; INFO unless raised for an investigation), locally POWERTOOLS_LOG_LEVEL. Every line is paid
 * for in CloudWatch Logs: per-alert and per-request success lines are DEBUG; INFO is one line per batch or per rare
 * event; every warning and error is kept. Never log secrets: ingest paths carry tokens, so log route keys, not raw
 * paths.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'alert-pipeline' });

/** Adapter from the core's `log(level, message, data)` to the Logger. */
export function coreLog(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void {
  if (level === 'debug') logger.debug(message, data ?? {});
  else if (level === 'info') logger.info(message, data ?? {});
  else if (level === 'warn') logger.warn(message, data ?? {});
  else logger.error(message, data ?? {});
}
