/**
 * The escalation step's dependencies in the local runtime, built the same way on the main thread and on the
 * processor's thread (which runs the inline pages): pages go to the local outbox, and also for real through a
 * channel whose secret is configured locally.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { EscalationDeps } from '../core/escalation/run';
import type { Clock, IncidentStore, OperationsStore } from '../core/ports';
import { ChannelSender, type SecretResolver } from '../adapters/notify/channel-sender';
import { LocalOutboxSender } from './outbox';

/** The outbox of a data directory (`outbox.jsonl`). */
export function localOutbox(dataDir: string, config: PipelineConfig, channelSecrets: SecretResolver): LocalOutboxSender {
  return new LocalOutboxSender(join(dataDir, 'outbox.jsonl'), config, channelSecrets, new ChannelSender(config, channelSecrets, async () => ({ ok: false, error: 'not a channel' })));
}

export function localEscalationDeps(d: {
  config: PipelineConfig; store: IncidentStore; ops: OperationsStore; clock: Clock; sender: LocalOutboxSender;
  publicBaseUrl: string; actionLinkKey: string;
}): EscalationDeps {
  return {
    config: d.config, store: d.store, ops: d.ops, sender: d.sender, clock: d.clock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
    newNonce: randomUUID,
    publicBaseUrl: d.publicBaseUrl,
    actionLinkKey: d.actionLinkKey,
  };
}
