/** Shared pieces of the reliability suite: a paging config, waiting, reading every incident back, counting the archive. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import type { TestRuntime } from '../support/local-runtime';

/**
 * One service, one webhook channel (no secret configured locally: pages land in the outbox; a cap of 10,000/min so
 * the rate cap never decides a test) and a one-level policy without repeat, which pages inline (no execution).
 */
export function pagingConfig(processing: { maxReceiveCount?: number; batchSize?: number } = {}): PipelineConfig {
  return parsePipelineConfig({
    version: 1,
    teams: [{ name: 'platform' }],
    services: [{ name: 'platform', team: 'platform' }],
    channels: [{ name: 'oncall-hook', type: 'webhook', secret: 'oncall-hook', maxPerMinute: 10_000 }],
    escalationPolicies: [{ name: 'page-once', levels: [{ targets: [{ channel: 'oncall-hook' }] }] }],
    routing: { default: { service: 'platform', escalationPolicy: 'page-once' } },
    // Every alert keeps its alert-log entry, so the suite can account for each one by its delivery key.
    processing: { maxReceiveCount: processing.maxReceiveCount ?? 5, batchSize: processing.batchSize ?? 100, batchWindowSeconds: 1, alertLogLimit: 1000 },
  });
}

export async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 40_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface IncidentSummary {
  id: string;
  fingerprint: string;
  status: string;
  alertCount: number;
}

/** Every incident (all pages of the list API) with the delivery keys of its logged alerts. */
export async function readIncidents(rt: TestRuntime): Promise<{ incidents: IncidentSummary[]; logged: string[] }> {
  const incidents: IncidentSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: { incidents: IncidentSummary[]; nextCursor: string | null } = (await rt.get(`/api/incidents?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
    incidents.push(...page.incidents);
    cursor = page.nextCursor;
  } while (cursor);
  const logged: string[] = [];
  for (const inc of incidents) {
    const detail = (await rt.get(`/api/incidents/${inc.id}`)).body as { alerts: Array<{ deliveryKey: string }> };
    for (const a of detail.alerts) logged.push(a.deliveryKey);
  }
  return { incidents, logged };
}

/** Outbox entries (pages) per incident id. */
export function pagesByIncident(rt: TestRuntime): Map<string, number> {
  const pages = new Map<string, number>();
  for (const e of rt.outbox.list(100_000)) pages.set(e.incidentId, (pages.get(e.incidentId) ?? 0) + 1);
  return pages;
}

/** Raw archive entries under `dir`: bodies (each has a `.meta.json` beside it, not counted); a leftover `.tmp` counts. */
export function archiveEntries(dir: string): number {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) {
    const p = join(dir, e);
    n += statSync(p).isDirectory() ? archiveEntries(p) : e.endsWith('.meta.json') ? 0 : 1;
  }
  return n;
}

/**
 * Raw archive entries ingest wrote (one per delivery too large for its queue message), without the processor's batch
 * objects under raw/batch/ (the processor writes those whenever it takes a batch, concurrently with any request).
 */
export function ingestArchiveEntries(dir: string): number {
  let sources: string[];
  try {
    sources = readdirSync(join(dir, 'raw'));
  } catch {
    return 0;
  }
  // One walk of the source folders, never of raw/batch/ (two walks would race the processor's writes).
  return sources.filter((s) => s !== 'batch').reduce((n, s) => n + archiveEntries(join(dir, 'raw', s)), 0);
}
