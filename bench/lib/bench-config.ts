/**
 * The benchmark's pipeline config: one service and a webhook channel (its secret is not configured locally, so pages
 * land in the local outbox; 10,000/min so the rate cap never decides the result), and three escalation policies:
 * `page-once` (one level, no repeat: paged inline without a state machine execution, the cheapest path),
 * `two-levels` (level 1, then level 2 after 10 minutes) and `two-levels-repeat` (the same, run twice).
 */
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';

export type BenchPolicy = 'page-once' | 'two-levels' | 'two-levels-repeat';

export function benchConfig(policy: BenchPolicy = 'page-once'): PipelineConfig {
  return parsePipelineConfig({
    version: 1,
    sources: { alertmanager: { severityMap: { critical: 'sev1', warning: 'sev2', info: 'sev3' }, defaultSeverity: 'sev2' } },
    teams: [{ name: 'platform' }],
    services: [{ name: 'platform', team: 'platform' }],
    channels: [{ name: 'oncall-hook', type: 'webhook', secret: 'oncall-hook', maxPerMinute: 10_000 }],
    escalationPolicies: [
      { name: 'page-once', levels: [{ targets: [{ channel: 'oncall-hook' }], escalateAfterMinutes: 10 }] },
      {
        name: 'two-levels',
        levels: [
          { targets: [{ channel: 'oncall-hook' }], escalateAfterMinutes: 10 },
          { targets: [{ channel: 'oncall-hook' }], escalateAfterMinutes: 10 },
        ],
      },
      {
        name: 'two-levels-repeat',
        repeat: 1,
        levels: [
          { targets: [{ channel: 'oncall-hook' }], escalateAfterMinutes: 10 },
          { targets: [{ channel: 'oncall-hook' }], escalateAfterMinutes: 10 },
        ],
      },
    ],
    routing: { default: { service: 'platform', escalationPolicy: policy } },
    processing: { maxReceiveCount: 5, batchSize: 100, batchWindowSeconds: 1 },
  });
}
