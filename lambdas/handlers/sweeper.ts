/**
 * Handler: the sweeper, run every minute by an EventBridge schedule (see core/sweep.ts). The event is EventBridge's
 * "Scheduled Event"; the sweep reads the time from the clock, not from the event, so a late or retried invocation
 * sweeps as of when it runs.
 */
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { AlarmDetails, Clock, Escalator, IncidentStore, StatusNotifier } from '../core/ports';
import { awsAlarmDetails } from './shared/alarm-details';
import { sweep, type SweepResult } from '../core/sweep';
import { once } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { awsIncidentStore } from './shared/insights';
import { awsEscalator, awsStatusNotifier } from './shared/escalation';
import { logger } from './shared/logger';
import { observability } from './shared/observability';

export function createSweeperHandler(deps: { config: PipelineConfig; store: IncidentStore; escalator: Escalator; clock: Clock; statusNotifier?: StatusNotifier; alarms?: AlarmDetails }) {
  return middy<ScheduledEvent, SweepResult>(async () => {
    const result = await sweep(deps);
    const changed = result.maintenanceEnded.length + result.snoozesEnded.length + result.autoResolved.length + result.inhibitionsReleased.length + result.alarmsReconciled.length;
    if (changed > 0 || result.errors.length > 0) logger.info('sweep', { ...result });
    if (changed > 0 && deps.statusNotifier) {
      await deps.statusNotifier.statusMayHaveChanged('sweeper').catch((err: unknown) => logger.warn('status notification failed', { error: String(err) }));
    }
    return result;
  }).use(observability());
}

const awsHandler = once(() => {
  const config = deployedConfig();
  const store = awsIncidentStore(config);
  return createSweeperHandler({
    config, store, escalator: awsEscalator(config, store), clock: { now: () => new Date() }, statusNotifier: awsStatusNotifier(), alarms: awsAlarmDetails(config),
  });
});

export const handler = (event: ScheduledEvent, context: Context) => awsHandler()(event, context);
