/**
 * The incident store of the functions that resolve incidents (processor, API, one-click links, sweeper), with the
 * hook that rolls a resolved incident up and writes its history snapshot (core/insights/on-resolve.ts).
 */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { recordingResolves } from '../../core/insights/on-resolve';
import { timezonesOf } from '../../core/insights/rollup';
import type { Clock, IncidentStore, PublishedDocuments, RollupStore } from '../../core/ports';
import { DynamoIncidentStore } from '../../adapters/dynamodb/incident-store';
import { DynamoRollupStore } from '../../adapters/dynamodb/rollup-store';
import { S3Documents } from '../../adapters/s3/s3-documents';
import { dynamodbClient, s3Client } from './aws';
import { env } from './env';
import { logger } from './logger';
import { ConfigError } from '../../core/errors';

/** `store` with the resolve hook over `rollups` and, when `config.insights.history.enabled`, `history`. */
export function storeRecordingResolves(
  config: PipelineConfig, store: IncidentStore, rollups: RollupStore, history: () => PublishedDocuments, publicBaseUrl: () => string, clock: Clock,
): IncidentStore {
  return recordingResolves(store, {
    rollups,
    history: config.insights.history.enabled ? history() : null,
    timezones: timezonesOf(config.people),
    incidentUrl: (id) => `${publicBaseUrl()}/api/incidents/${encodeURIComponent(id)}`,
    clock,
    log: (message, data) => logger.error(message, data),
  });
}

/** The DynamoDB rollups of the incident table. */
export function awsRollups(): RollupStore {
  return new DynamoRollupStore(dynamodbClient(), env.tableName());
}

/**
 * The history in the archive bucket. In a bundle built for a config without history, `process.env.PIPELINE_HISTORY_ENABLED`
 * is the literal "false" (BUILD_SWITCHES), this is `null` and the S3 client is not in the bundle; the config then never
 * asks for the history either.
 */
const awsHistory: (() => PublishedDocuments) | null =
  process.env.PIPELINE_HISTORY_ENABLED === 'false' ? null : () => new S3Documents(s3Client(), env.archiveBucket());

/** The AWS incident store with the resolve hook (history in the archive bucket). */
export function awsIncidentStore(config: PipelineConfig): IncidentStore {
  const clock = { now: () => new Date() };
  const history = awsHistory ?? (() => { throw ConfigError.problem('insights.history is enabled but this function was built without it: deploy again'); });
  return storeRecordingResolves(config, new DynamoIncidentStore(dynamodbClient(), env.tableName()), awsRollups(), history, env.publicBaseUrl, clock);
}
