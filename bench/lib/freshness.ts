/**
 * Status page freshness on the local runtime (in this process, embedded DynamoDB in memory): the time from posting a
 * sev1 alert for `database` (Events v2, `critical`) to `GET /status.json` showing the component major_outage, i.e.
 * the processing of that alert plus one render by the status-render handler. Each run then resolves the incident
 * and waits for operational again, so every run starts from an operational page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startLocalRuntime } from '../../lambdas/local/runtime';
import { percentile, sleep } from './stats';

export interface FreshnessResult {
  runs: number;
  /** Alert posted -> status.json shows major_outage (ms). */
  samples: number[];
  medianMs: number;
  p95Ms: number;
  /** The same for the dependent component (checkout, degraded along its `degrade` edge). */
  dependentMedianMs: number;
}

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }],
  services: [
    { name: 'database', team: 'platform' },
    { name: 'checkout', team: 'platform', dependsOn: [{ service: 'database', impact: 'degrade' }] },
  ],
  routing: { default: { service: 'database' } },
  statusPage: {
    title: 'Bench status',
    components: [{ service: 'database', displayName: 'Database' }, { service: 'checkout', displayName: 'Checkout' }],
    pages: [{ name: 'public', visibility: 'public', components: ['database', 'checkout'] }],
  },
});

type Summary = { components: Array<{ name: string; status: string }> };

export async function measureFreshness(runs = 20): Promise<FreshnessResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-freshness-'));
  const rt = await startLocalRuntime({ config, dataDir, port: 0, inMemoryStore: true, sweepIntervalMs: 0 });
  const statusOf = async (): Promise<Record<string, string>> => {
    const body = (await (await fetch(`${rt.url}/status.json`)).json()) as Summary;
    return Object.fromEntries(body.components.map((c) => [c.name, c.status]));
  };
  const until = async (what: string, probe: (s: Record<string, string>) => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const s = await statusOf();
      if (probe(s)) return s;
      await sleep(2);
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const post = async (action: 'trigger' | 'resolve', key: string) => {
    const res = await fetch(`${rt.url}/ingest/events/v2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: rt.ingestToken, event_action: action, dedup_key: key,
        ...(action === 'trigger' ? { payload: { summary: 'database down', source: 'db-01', severity: 'critical' } } : {}),
      }),
    });
    if (res.status !== 202) throw new Error(`Events v2 answered ${res.status}`);
  };
  const samples: number[] = [];
  const dependent: number[] = [];
  try {
    await until('an operational page', (s) => s.Database === 'operational');
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await post('trigger', `fresh-${i}`);
      let seenDb: number | null = null;
      await until('major_outage', (s) => {
        if (seenDb === null && s.Database === 'major_outage') seenDb = performance.now() - t0;
        return s.Database === 'major_outage' && s.Checkout === 'degraded_performance';
      });
      samples.push(seenDb ?? performance.now() - t0);
      dependent.push(performance.now() - t0);
      await post('resolve', `fresh-${i}`);
      await until('operational again', (s) => s.Database === 'operational' && s.Checkout === 'operational');
    }
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { runs, samples, medianMs: percentile(samples, 50), p95Ms: percentile(samples, 95), dependentMedianMs: percentile(dependent, 50) };
}
