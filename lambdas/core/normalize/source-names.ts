/**
 * The source names of the registry (registry.ts `SOURCES`, same order), for the `source` filters of the API and of
 * insights, without importing the registry: its normalizers (and, behind the webhook source, CEL) would otherwise be
 * in every API bundle. `satisfies` rejects a name the registry does not have; test/core/normalize/registry.test.ts
 * checks that none is missing.
 */
import type { SourceName } from './registry';

export const SOURCE_NAMES = ['threatstack', 'cloudwatch', 'events-v2', 'alertmanager', 'webhook', 'guardduty', 'securityhub'] as const satisfies readonly SourceName[];
