/**
 * The only place Lambda code reads the environment. Each reader throws a clear error when a required variable is
 * missing, at first use (cold start), never halfway through a request.
 */
import { ENV } from './env-names';
import { ConfigError } from '../../core/errors';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw ConfigError.problem(`environment variable ${name} is not set`);
  return value;
}

export const env = {
  tableName: () => required(ENV.tableName),
  queueUrl: () => required(ENV.queueUrl),
  deadLetterQueueUrl: () => required(ENV.deadLetterQueueUrl),
  archiveBucket: () => required(ENV.archiveBucket),
  ingestTokenSecretId: () => required(ENV.ingestTokenSecretId),
  integrationTokenSecrets: (): Record<string, string> => JSON.parse(process.env[ENV.integrationTokenSecrets] || '{}') as Record<string, string>,
  apiTokenSecretId: () => required(ENV.apiTokenSecretId),
  stateMachineArn: () => required(ENV.stateMachineArn),
  escalationFunctionName: () => required(ENV.escalationFunctionName),
  actionLinkSecretId: () => required(ENV.actionLinkSecretId),
  publicBaseUrl: () => required(ENV.publicBaseUrl).replace(/\/+$/, ''),
  emailTopicArns: (): Record<string, string> => JSON.parse(process.env[ENV.emailTopicArns] || '{}') as Record<string, string>,
  channelSecretPrefix: () => process.env[ENV.channelSecretPrefix] ?? '',
  statusSiteBucket: () => required(ENV.statusSiteBucket),
  statusPageUrl: () => required(ENV.statusPageUrl).replace(/\/+$/, ''),
  /** Empty when no status page is deployed: the notifier then does nothing. */
  statusRenderFunctionName: () => process.env[ENV.statusRenderFunctionName] ?? '',
  /** The function's own Region: set by Lambda itself (a reserved variable), not by the stack. */
  awsRegion: () => required('AWS_REGION'),
  snsAllowedTopicArns: (): string[] =>
    (process.env[ENV.snsAllowedTopicArns] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};
