/**
 * The source names of the registry (registry.ts `SOURCES`, same order), for the `source` filters of the API and of
 * insights, without importing the registry: its normalizers (and, behind the webhook source, CEL) would otherwise be
 * in the API bundles and the processor. `satisfies` rejects a name the registry does not have; test/architecture/import-graph.test.ts
 * checks that none is missing.
 */
import type { SourceName } from './registry';

export const SOURCE_NAMES = ['threatstack', 'cloudwatch', 'events-v2', 'alertmanager', 'webhook', 'guardduty', 'securityhub'] as const satisfies readonly SourceName[];

/**
 * The sources whose alerts are states of one thing (`alertsAre: 'states'` in their descriptors): for them the newest
 * state change wins. The same set as the registry's `STATEFUL_SOURCES`, without the registry, for the processor's
 * dedup decision (test/architecture/import-graph.test.ts checks they agree).
 */
export const STATEFUL_SOURCES: ReadonlySet<string> = new Set<(typeof SOURCE_NAMES)[number]>(['cloudwatch', 'events-v2', 'alertmanager', 'webhook', 'guardduty', 'securityhub']);
