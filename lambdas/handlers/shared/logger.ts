/**
 * Structured JSON logging for every handler (Powertools Logger: JSON lines with Lambda context, log level from
 * POWERTOOLS_LOG_LEVEL). Never log secrets: ingest paths carry tokens, so log route keys, not raw paths.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'alert-pipeline' });

/** Adapter from the core's `log(level, message, data)` to the Logger. */
export function coreLog(level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void {
  if (level === 'info') logger.info(message, data ?? {});
  else if (level === 'warn') logger.warn(message, data ?? {});
  else logger.error(message, data ?? {});
}
